"""Command-line interface: argument parsing and dispatch only; the work lives in the stages."""
