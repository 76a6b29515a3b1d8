"""Single sign-on with an OpenID Connect provider (VNeID-style): which provider a site offers (config.py),
the authorization code flow through Authlib (client.py), accounts found and made by verified identity
(services.py), the identity level a session carries (session.py) and the pages (views.py)."""
