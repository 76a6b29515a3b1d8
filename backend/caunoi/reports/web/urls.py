from typing import Any

app_name = "reports"
urlpatterns: list[Any] = []
