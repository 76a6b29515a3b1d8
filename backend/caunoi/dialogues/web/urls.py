from typing import Any

app_name = "dialogues"
urlpatterns: list[Any] = []
