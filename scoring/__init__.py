"""Pure computation: no Flask, no database. Plain data in, plain data out."""
