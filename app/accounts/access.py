"""Role checks for views: anonymous visitors go to the login page, the wrong role gets 403, and
staff and administrators who did not pass the second login step go there first."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import abort, current_app, redirect, request, url_for
from flask_login import current_user

from app import db
from app.accounts import two_factor
from app.accounts.models import Role


def role_required(*roles: Role) -> Callable:
    """Allow a view only to accounts with one of `roles`."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any):
            if not current_user.is_authenticated:
                # flask-login sets the attribute on the app; Flask's class does not declare it.
                return current_app.login_manager.unauthorized()  # type: ignore[attr-defined]
            if not current_user.has_role(*roles):
                abort(403)
            user = current_user._get_current_object()
            if two_factor.needed(user) and not two_factor.passed(user):
                step = "code" if two_factor.enrolled(db.session(), user) else "enrol"
                return redirect(url_for(f"second_step.{step}", next=request.full_path))
            return view(*args, **kwargs)

        wrapped.required_roles = roles  # type: ignore[attr-defined]
        return wrapped

    return decorator
