"""Users, roles, login (throttling, two-factor login, recovery codes) and API tokens per device.

Lock order: a user's row (`select_for_update`, taken by `tokens.api_token_issue`) before that user's API
tokens; nothing here locks rows of other apps. Recovery codes are used with one conditional DELETE, so two
requests with the same code cannot both succeed without any lock.
"""
