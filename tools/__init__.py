"""Development-only tooling (vendoring front-end files, the Mollie sandbox); never deployed."""
