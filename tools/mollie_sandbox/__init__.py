"""A local fake of the Mollie v2 payments API, for the offline demo and the tests.

Development tooling: it lives outside the `app` package, is not in the wheel, and refuses to
start when APP_ENV is production."""
