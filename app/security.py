"""Security headers, a strict Content-Security-Policy, and HTTPS in production."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, Response, g, redirect, request

# Only our own origin. A view that must embed something (the video player after a click)
# adds that one host for its own response through `allow_frame`.
CSP_BASE = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self'",
    "font-src": "'self'",
    "connect-src": "'self'",
    "media-src": "'self'",
    "object-src": "'none'",
    "frame-src": "'none'",
    "frame-ancestors": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
}

PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=(), interest-cohort=(), browsing-topics=()"
)
HSTS = "max-age=63072000; includeSubDomains"


def allow_frame(origin: str) -> None:
    """Let this one response embed frames from `origin` (e.g. the video player)."""
    g.setdefault("csp_frames", []).append(origin)


def payment_origin(api_endpoint: str) -> str:
    """Where Mollie's hosted checkout lives: www.mollie.com for the real API, the sandbox's own
    address otherwise. Forms may lead there (the order button answers with a redirect to it)."""
    parts = urlsplit(api_endpoint)
    if parts.hostname == "api.mollie.com":
        return "https://www.mollie.com"
    return f"{parts.scheme}://{parts.netloc}"


def content_security_policy(checkout: str, frames: list[str] | tuple = ()) -> str:
    directives = dict(CSP_BASE)
    # On every page, not only the checkout: with hx-boost the first page's policy stays in force.
    directives["form-action"] = f"'self' {checkout}"
    if frames:
        directives["frame-src"] = " ".join(frames)
    return "; ".join(f"{name} {value}" for name, value in directives.items())


def fixed_headers(app: Flask) -> list[tuple[str, str]]:
    """The headers every response carries, whatever it is."""
    fixed = [
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "strict-origin-when-cross-origin"),
        ("Permissions-Policy", PERMISSIONS_POLICY),
        ("X-Frame-Options", "DENY"),
        ("Cross-Origin-Opener-Policy", "same-origin"),
    ]
    if app.config["APP_ENV"] == "production":
        fixed.append(("Strict-Transport-Security", HSTS))
    return fixed


def static_headers(app: Flask) -> list[tuple[str, str]]:
    """What the static files are sent with (they never reach the views)."""
    origin = payment_origin(app.config["MOLLIE_API_ENDPOINT"])
    return [("Content-Security-Policy", content_security_policy(origin)), *fixed_headers(app)]


def init_app(app: Flask) -> None:
    production = app.config["APP_ENV"] == "production"
    origin = app.config["PAYMENT_ORIGIN"] = payment_origin(app.config["MOLLIE_API_ENDPOINT"])
    usual_csp = content_security_policy(origin)

    if production:
        public_base = app.config["PUBLIC_BASE_URL"]

        @app.before_request
        def _https_only():
            # Behind the proxy, ProxyFix has already turned X-Forwarded-Proto into the scheme.
            # The target is always our own configured address, never a host the request named
            # (X-Forwarded-Host or Host could send the visitor anywhere).
            if not request.is_secure and request.endpoint != "core.healthz":
                query = request.query_string.decode("latin-1")
                return redirect(public_base + request.path + (f"?{query}" if query else ""), 301)
            return None

    fixed = fixed_headers(app)

    @app.after_request
    def _headers(response: Response) -> Response:
        # One pass over the headers a view already set (a cached page brings its own), instead
        # of a search per header: this runs on every request.
        headers = response.headers
        present = {name.lower() for name, _ in headers.items()}
        if "content-security-policy" not in present:
            frames = g.get("csp_frames")
            csp = content_security_policy(origin, frames) if frames else usual_csp
            headers.add("Content-Security-Policy", csp)
        headers.extend((name, value) for name, value in fixed if name.lower() not in present)
        return response
