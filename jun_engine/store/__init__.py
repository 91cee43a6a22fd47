"""Where the engine keeps what it knows: tables, the engine factory, migrations, repositories."""
