"""Storage: the SQLModel tables, the database engine, leases on accounts and e-mails, migrations."""
