"""Working-day calendar and due-date arithmetic. Pure: no models, no database, never imports caunoi.cases."""
