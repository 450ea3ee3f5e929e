"""The rules of the portal: nothing here knows about requests or templates."""
