"""The fault suite: each row of what an attacker and a crash found, as a test. Accounts and the
signed-in client come from the webmaster area's fixtures."""
from tests.web.admin.conftest import as_role, users  # noqa: F401 (fixtures)
