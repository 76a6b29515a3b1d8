from typing import Any

app_name = "publication"
urlpatterns: list[Any] = []
