"""The web front: the search page and the JSON API over the same search service as the CLI."""

from pathlib import Path

from flask import Flask, jsonify, make_response, render_template, request
from werkzeug.exceptions import HTTPException

from archive.access.levels import AccessConfig
from archive.access.store import Store
from archive.engines.base import Engine
from archive.errors import BadRequest, IndexMissing, IndexOutdated
from archive.home import Archive, open_archive
from archive.search.contract import date_text

from . import api, feed, ledger, pages, state, text, timeline
from .auth import install

# Everything is served from here: no inline script or style, no remote anything.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
MAX_BODY = 64 * 1024  # a request body (the login form is the only one): more is a 413, never read whole
UNAVAILABLE = "服务暂不可用，请稍后再试。"


def create_app(archive: Archive | Engine | Path | str | None = None, *, mode: str = "local", proxy: bool | None = None,
               config: AccessConfig | None = None, store: Store | None = None) -> Flask:
    """The app over an opened archive, an engine's, or the Whoosh index in a folder (default: the archive
    the settings name, archive/home.py). `config` and `store` replace the archive's own (a stricter server, tests).

    mode (web/auth.py): "local" serves everything without login while there are no users, "network"
    requires a login, "public" serves the lowest level without one. proxy (default: the configuration's)
    trusts one reverse proxy's X-Forwarded-* headers, and makes "local" "network": clients are remote."""
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = MAX_BODY
    if not isinstance(archive, Archive):
        archive = open_archive(archive) if archive is None or isinstance(archive, (Path, str)) else Archive(archive)
    if config is not None or store is not None:
        archive = Archive(archive.engine, config=config or archive.config, store=store or archive.store)
    proxy = proxy if proxy is not None else archive.config.proxy
    if proxy and mode == "local":  # (behind a proxy every client looks local: it is serving beyond loopback)
        mode = "network"
    if proxy:
        from werkzeug.middleware.proxy_fix import ProxyFix
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1, x_port=1, x_prefix=1)
    install(app, archive, mode, proxy)
    app.json.ensure_ascii = False

    app.register_blueprint(api.bp)
    app.register_blueprint(ledger.bp)
    app.register_blueprint(pages.bp)
    app.register_blueprint(feed.bp)
    app.jinja_env.globals.update(feed_url=feed.feed_url, timeline_chart=timeline.chart,
                                 status_token=ledger.status_token, repaired_search=state.repaired_search)
    app.jinja_env.filters.update(date_text=date_text, region_name=text.region_name,
                                 region_full=text.region_full)
    app.jinja_env.trim_blocks = app.jinja_env.lstrip_blocks = True
    _errors(app)

    @app.after_request
    def headers(response):
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        return response

    return app


def _errors(app: Flask) -> None:
    """400 with the reason, 404, 503 while there is no index: JSON under /api/, a page elsewhere."""
    def answer(status: int, title: str, reason: str):
        if request.path.startswith("/api/"):
            return make_response(jsonify(error=reason), status)
        return make_response(render_template("error.html", status=status, title=title, reason=reason,
                                              q=request.args.get("q", "")), status)

    @app.errorhandler(BadRequest)
    def bad_request(exc):
        return answer(400, "请求有误", str(exc))

    @app.errorhandler(IndexMissing)
    @app.errorhandler(IndexOutdated)
    def no_index(exc):
        # The details (a database URL, shard and server names, the driver's words) go to the server's log
        # only: a client learns nothing of the layout. A missing index is not cured by waiting: say so.
        app.logger.error("503 %s: %s", request.path, exc)
        hint = "" if getattr(exc, "unreachable", False) else "（索引尚未建立或需要重建：管理员请运行 archive ingest）"
        return answer(503, "服务暂不可用", UNAVAILABLE + hint)

    @app.errorhandler(HTTPException)
    def http_error(exc):
        titles = {404: "找不到页面", 405: "不支持的请求方法", 413: "请求过大", 500: "服务器出错"}
        reasons = {404: "没有这个页面或会议：链接可能有误，或会议已从索引中删除。",
                   500: "服务器处理这个请求时出错：请稍后再试；一再出现请告知管理员。",
                   405: "本站只读：只接受 GET 请求（登录与退出除外）。",
                   413: f"请求内容过大（上限 {MAX_BODY // 1024} KB）。"}
        # (a reason given with abort(404, reason) is shown; Werkzeug's English defaults are not)
        given = exc.description if exc.description != type(exc).description else None
        response = answer(exc.code, titles.get(exc.code, exc.name), given or reasons.get(exc.code, exc.description))
        if getattr(exc, "valid_methods", None):
            response.headers["Allow"] = ", ".join(exc.valid_methods)
        return response
