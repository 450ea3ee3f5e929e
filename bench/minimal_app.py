"""The baseline: the smallest Flask page, served the same way as the portal."""
from flask import Flask

app = Flask(__name__)


@app.get("/")
def index():
    return "<!doctype html><html lang=vi><title>ok</title><p>Xin chào</p></html>"
