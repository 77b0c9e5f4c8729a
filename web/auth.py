"""Who is asking: login sessions, API tokens, the login page, the audit log of every request.

Before each request the viewer is found (a Bearer token, else the session cookie) and put in
`g.viewer`; every page, API, export and feed asks `service()`, the app's search service for
that viewer (SearchService.for_viewer), so it sees only what the viewer may read: enforcement
stays in the search service. Without a viewer, pages redirect to the login and everything else is 401.

Sessions are server-side rows (archive/access/store.py): the cookie holds a random id signed
with the store's secret, so logout, a password change, removing a user or rotating the secret
end a session at once, and expiry is the server's, not the browser's. Forms carry a CSRF token:
an HMAC of a random cookie (login) or of the session (logout) under the same secret.
"""

import hashlib
import hmac
import re
import secrets

from flask import Blueprint, Flask, current_app, g, jsonify, make_response, redirect, \
    render_template, request, url_for

from archive.access.levels import EVERYONE, AccessConfig, UnknownLevel, Viewer
from archive.access.login import attempt
from archive.access.store import User
from archive.home import Archive
from archive.search.service import SearchService

bp = Blueprint("auth", __name__)

SESSION_COOKIE, CSRF_COOKIE = "archive_session", "archive_csrf"
NOBODY = Viewer("", ())  # reads nothing: a request the login check has not seen (fails closed)
PAGES = re.compile(r"^/(meetings/[^/]+|items)?$")  # pages a browser opens: redirected to the login
NO_USERS = "服务暂不可用：本站需要登录，但还没有任何用户账号。请联系管理员。"
OPEN = ("auth.login", "auth.login_post", "auth.logout", "static")  # endpoints answered without a viewer


def service() -> SearchService:
    """The search service as the current request's viewer (NOBODY before the login check has run: fails
    closed). app.config["SERVICE"] itself is the trusted one, for no viewer in particular."""
    return current_app.config["SERVICE"].for_viewer(g.get("viewer", NOBODY))


def install(app: Flask, archive: Archive, mode: str, proxy: bool = False) -> None:
    """mode: "local" (no users: everything, as before access control), "network" (users required; none:
    503 everywhere) or "public" (without login, the lowest level). proxy: behind one (ProxyFix)."""
    app.config.update(SERVICE=SearchService(archive.engine), ACCESS_STORE=archive.store,
                      ACCESS_CONFIG=archive.config, ACCESS_MODE=mode, ACCESS_PROXY=proxy, AUDIT=archive.audit)
    app.register_blueprint(bp)
    app.before_request(_identify)
    app.after_request(_audit)
    app.jinja_env.globals["logout_token"] = lambda: _sign("logout:" + g.get("session_id", ""))


# -- signing ---------------------------------------------------------------------------

def _sign(value: str) -> str:
    secret = current_app.config["ACCESS_STORE"].secret()
    return hmac.new(secret, value.encode(), hashlib.sha256).hexdigest()


def _signed_ok(value: str, signature: str) -> bool:
    return bool(value) and hmac.compare_digest(_sign(value), signature or "")


# -- who is asking ---------------------------------------------------------------------

def _viewer_of(user: User, config: AccessConfig) -> Viewer:
    if user.role == "admin":
        return Viewer(user.name, None, "admin")
    try:
        return Viewer(user.name, config.readable(user.level), user.role)
    except UnknownLevel:  # a level since taken out of the configuration reads nothing
        return Viewer(user.name, (), user.role)


def _session_id() -> str:
    sid, _, signature = request.cookies.get(SESSION_COOKIE, "").partition(".")
    return sid if _signed_ok(sid, signature) else ""


def _identify():
    store, config = current_app.config["ACCESS_STORE"], current_app.config["ACCESS_CONFIG"]
    mode = current_app.config["ACCESS_MODE"]
    g.viewer, user = NOBODY, None
    header = request.headers.get("Authorization", "")
    sid = "" if header else _session_id()
    if header:
        user = store.token_user(header[7:].strip()) if header[:7].lower() == "bearer " else None
    elif sid:
        user = store.session_user(sid)
    if user is not None:
        g.viewer = _viewer_of(user, config)
        if sid:
            g.session_id = sid
    elif mode == "public":
        if header:  # a token that is wrong, revoked or of a removed user: refused, whatever the mode
            return _refuse("令牌无效或已被撤销。")
        g.viewer = Viewer("", (config.lowest,))
    elif not store.has_users():
        if mode != "local":  # beyond loopback or behind a proxy, and nobody could log in: closed to all
            return _closed()
        if header:
            return _refuse("令牌无效或已被撤销。")
        g.viewer = EVERYONE
    elif header:
        return _refuse("令牌无效或已被撤销。")
    elif request.endpoint not in OPEN:
        return _refuse("请先登录。")
    return None


def _closed():
    """503 on every path: the server was told to require logins, and there is no user (never all to all)."""
    current_app.logger.error("没有任何用户账号：服务器拒绝所有请求（先运行 archive users add）")
    if request.path.startswith("/api/"):
        return make_response(jsonify(error=NO_USERS), 503)
    response = make_response(NO_USERS + "\n", 503)
    response.mimetype = "text/plain"
    return response


def _refuse(reason: str):
    if PAGES.match(request.path) and not request.headers.get("Authorization"):
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
    if request.path.startswith("/api/"):
        response = make_response(jsonify(error=reason), 401)
    else:
        response = make_response(reason + "\n", 401)
        response.mimetype = "text/plain"
    response.headers["WWW-Authenticate"] = 'Bearer realm="archive"'
    return response


# -- the audit log -----------------------------------------------------------------------

_EVENTS = {"pages.search": "search", "api.search": "search", "pages.meeting": "meeting", "api.meeting": "meeting",
           "pages.export": "export"}


def _audit(response):
    if request.endpoint in OPEN:
        return response  # (logins are logged with their outcome by the view)
    event = _EVENTS.get(request.endpoint or "", "request")
    details = {"status": response.status_code, "path": request.path}
    if request.args:
        details["params"] = request.args.to_dict(flat=False)
    if request.view_args and "meeting_id" in request.view_args:
        details["meeting_id"] = request.view_args["meeting_id"]
    current_app.config["AUDIT"].write(event, g.get("viewer", NOBODY).name, request.remote_addr or "", **details)
    return response


# -- login and logout -------------------------------------------------------------------------

_LOCAL_PATH = re.compile(r"^/(?![/\\])[^\x00-\x20\\]*$")  # a path here: not //host, /\host, nor hidden blanks


def _safe_next(target: str) -> str:
    """Only a path of this site: no open redirect."""
    return target if _LOCAL_PATH.match(target) else "/"


def _form(status: int = 200, message: str = "", name: str = ""):
    token = request.cookies.get(CSRF_COOKIE) or secrets.token_urlsafe(32)
    response = make_response(render_template("login.html", csrf=_sign("login:" + token), message=message, name=name,
                                             next=_safe_next(request.values.get("next", "/"))), status)
    response.set_cookie(CSRF_COOKIE, token, httponly=True, samesite="Lax", secure=request.is_secure)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/login")
def login():
    return _form()


@bp.post("/login")
def login_post():
    config, store, log = (current_app.config[k] for k in ("ACCESS_CONFIG", "ACCESS_STORE", "AUDIT"))
    address = request.remote_addr or ""
    token = request.cookies.get(CSRF_COOKIE, "")
    if not _signed_ok("login:" + token if token else "", request.form.get("csrf", "")):
        log.write("login_csrf", request.form.get("name", ""), address)
        return _form(400, "表单已过期或来源不明，请重新输入。")
    name = request.form.get("name", "").strip()
    outcome = attempt(store, config, name, request.form.get("password", ""), address)
    if outcome.user is None:
        log.write("login_locked" if outcome.locked else "login_failed", name, address)
        return _form(429 if outcome.locked else 401, outcome.message, name)
    old = _session_id()
    if old:
        store.end_session(old)
    sid = store.new_session(outcome.user.name, config.session_minutes)  # a new id at every login: no fixation
    log.write("login", outcome.user.name, address)
    response = redirect(_safe_next(request.form.get("next", "/")), 303)
    response.set_cookie(SESSION_COOKIE, f"{sid}.{_sign(sid)}", max_age=int(config.session_minutes * 60),
                        httponly=True, samesite="Lax", secure=request.is_secure)
    response.set_cookie(CSRF_COOKIE, secrets.token_urlsafe(32), httponly=True, samesite="Lax", secure=request.is_secure)
    return response


@bp.post("/logout")
def logout():
    sid = _session_id()
    if not (sid and _signed_ok("logout:" + sid, request.form.get("csrf", ""))):
        return redirect(url_for("pages.search"), 303)  # (a forged logout from another site changes nothing)
    current_app.config["ACCESS_STORE"].end_session(sid)
    current_app.config["AUDIT"].write("logout", g.viewer.name, request.remote_addr or "")
    response = redirect(url_for("auth.login"), 303)
    response.delete_cookie(SESSION_COOKIE)
    return response
