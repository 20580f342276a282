"""Database helpers below the models: SQL functions and expressions, queries by table
metadata, bulk COPY and migration operations. Nothing here imports the app's models, so
models, migrations and domain modules may all import it."""
