"""The delegation pages, one module per part; urls.py names the routes."""
