"""The district admin's pages: registry, compliance overview, detector settings, users."""

from __future__ import annotations

from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from detectors import DETECTORS
from scanner.errors import ConfigError, ConsoleError
from scanner.review.report import STATUSES, chart, collect
from scanner.web import registry, users
from scanner.web.pages import flash, render
from scanner.web.policy import Action
from scanner.web.preview import run_preview, settings_for
from scanner.web.routes.base import Routes, console, signed_in
from scanner.web.routes.sponsor import attestations, this_month

route = Routes()


def _form(data: Any) -> dict[str, str]:
    return {k: str(data.get(k) or "") for k in registry.FIELDS}


@route("/admin/registry", Action.MANAGE_REGISTRY)
async def registry_page(request: Request) -> Response:
    """Every registered account, enabled or not, with its latest attestation."""
    state = console(request)
    accounts = state.config.accounts
    attested = attestations(request, [a.id for a in accounts])
    return render(
        request,
        "registry.html",
        {"accounts": accounts, "attested": attested, "month": this_month(request)},
    )


def _registry_form(
    request: Request, form: dict[str, str], errors: dict[str, list[str]], editing: str | None
) -> Response:
    return render(
        request,
        "registry_form.html",
        {"form": form, "errors": errors, "editing": editing},
        400 if errors else 200,
    )


@route("/admin/registry/new", Action.MANAGE_REGISTRY)
async def new_account(request: Request) -> Response:
    """An empty registration form."""
    return _registry_form(request, dict.fromkeys(registry.FIELDS, ""), {}, None)


def _index(accounts: Any, account_id: str) -> int:
    for i, entry in enumerate(accounts):
        if entry.get("id") == account_id:
            return i
    raise HTTPException(404)


async def _save(request: Request, editing: str | None) -> Response:
    state = console(request)
    form = _form(await request.form())
    position: list[int] = []

    def change(accounts: Any) -> None:
        if editing is None:
            accounts.append(registry.entry_from_form(form))
            position.append(len(accounts) - 1)
        else:
            i = _index(accounts, editing)
            accounts[i] = registry.entry_from_form(form, dict(accounts[i]))
            position.append(i)

    try:
        registry.change_accounts(state.config_dir, change, state.checks)
    except ConfigError as exc:
        return _registry_form(
            request, form, registry.field_problems(exc.problems, position[0]), editing
        )
    state.refresh(force=True)
    flash(request, f"Saved {form['id']}.")
    return RedirectResponse("/admin/registry", status_code=303)


@route("/admin/registry/new", Action.MANAGE_REGISTRY, ("POST",))
async def add_account(request: Request) -> Response:
    """Register an account (validated like `scanner accounts add`)."""
    return await _save(request, None)


@route("/admin/registry/{entry_id:str}/edit", Action.MANAGE_REGISTRY)
async def edit_account_form(request: Request) -> Response:
    """The registration form, filled in."""
    accounts = registry.read_accounts(console(request).config_dir)["accounts"]
    entry = accounts[_index(accounts, request.path_params["entry_id"])]
    return _registry_form(request, registry.form_from_entry(entry), {}, entry["id"])


@route("/admin/registry/{entry_id:str}/edit", Action.MANAGE_REGISTRY, ("POST",))
async def edit_account(request: Request) -> Response:
    """Save an edited account (validated like `scanner config check`)."""
    return await _save(request, request.path_params["entry_id"])


@route("/admin/registry/{entry_id:str}/toggle", Action.MANAGE_REGISTRY, ("POST",))
async def toggle_account(request: Request) -> Response:
    """Disable (stop scanning) or enable an account."""
    state = console(request)
    account_id = request.path_params["entry_id"]

    def change(accounts: Any) -> None:
        entry = accounts[_index(accounts, account_id)]
        entry["enabled"] = not entry.get("enabled", True)

    try:
        registry.change_accounts(state.config_dir, change, state.checks)
    except ConfigError as exc:
        for problem in exc.problems[:5]:
            flash(request, str(problem), "error")
        return RedirectResponse("/admin/registry", status_code=303)
    state.refresh(force=True)
    enabled = state.config.account(account_id).enabled
    flash(request, f"{account_id} is {'enabled' if enabled else 'disabled'}.")
    return RedirectResponse("/admin/registry", status_code=303)


@route("/admin/compliance", Action.VIEW_COMPLIANCE)
async def compliance(request: Request) -> Response:
    """The compliance report (counts only) with its weekly chart, and attestations."""
    state = console(request)
    data = collect(state.config, state.engine)
    attested = attestations(request, [a.account_id for a in data.accounts])
    return render(
        request,
        "compliance.html",
        {
            "data": data,
            "chart": chart(data),
            "statuses": STATUSES,
            "attested": attested,
            "month": this_month(request),
        },
    )


def _detector_page(
    request: Request, extra: dict[str, Any] | None = None, status: int = 200
) -> Response:
    state = console(request)
    blocks = {
        name: registry.read_detector_block(state.config_dir, name) for name in DETECTORS.names()
    }
    ctx = {"blocks": blocks, "corpora": state.config.scanner.console.eval_corpora, **(extra or {})}
    return render(request, "detectors.html", ctx, status)


@route("/admin/detectors", Action.MANAGE_DETECTORS)
async def detectors(request: Request) -> Response:
    """Each detector's settings block, editable, with preview and save."""
    return _detector_page(request)


@route("/admin/detectors/{name:str}", Action.MANAGE_DETECTORS, ("POST",))
async def detector_action(request: Request) -> Response:
    """`preview` runs the evaluation before/after; `save` writes the block when it validates."""
    name = request.path_params["name"]
    if name not in DETECTORS.names():
        raise HTTPException(404)
    state = console(request)
    form = await request.form()
    text = str(form.get("settings") or "")
    edited = {name: text}
    try:
        block = registry.parse_block(text)
        if form.get("do") == "save":
            settings_for(name, block)
            registry.write_detector_block(state.config_dir, name, block, state.checks)
            state.refresh(force=True)
            flash(request, f"Saved the {name} settings.")
            return RedirectResponse("/admin/detectors", status_code=303)
        preview = run_preview(state.config, name, block)
    except ConfigError as exc:
        errors = {name: [str(p) for p in exc.problems]}
        return _detector_page(request, {"edited": edited, "errors": errors}, 400)
    return _detector_page(request, {"edited": edited, "preview": preview})


@route("/admin/users", Action.MANAGE_USERS)
async def users_page(request: Request) -> Response:
    """Console users: add, change role, disable/enable."""
    return render(
        request,
        "users.html",
        {"users": users.list_users(console(request).engine), "roles": list(users.Role), "form": {}},
    )


@route("/admin/users", Action.MANAGE_USERS, ("POST",))
async def add_user(request: Request) -> Response:
    """Add a user (with a password: local sign-in; without: OpenID Connect only)."""
    form = await request.form()
    email, role = str(form.get("email") or ""), str(form.get("role") or "")
    password = str(form.get("password") or "") or None
    try:
        users.add_user(
            console(request).engine, email, role, password, actor=signed_in(request).email
        )
    except ConsoleError as exc:
        ctx = {
            "users": users.list_users(console(request).engine),
            "roles": list(users.Role),
            "form": {"email": email, "role": role},
            "error": str(exc),
        }
        return render(request, "users.html", ctx, 400)
    flash(request, f"Added {email.strip().lower()}.")
    return RedirectResponse("/admin/users", status_code=303)


@route("/admin/users/{user_id:int}", Action.MANAGE_USERS, ("POST",))
async def update_user(request: Request) -> Response:
    """Change a user's role, or disable/enable them (not yourself)."""
    state = console(request)
    target = users.get_user(state.engine, request.path_params["user_id"])
    if target is None:
        raise HTTPException(404)
    me = signed_in(request)
    form = await request.form()
    op = str(form.get("do") or "")
    try:
        if target.id == me.id and op in ("disable", "role"):
            raise ConsoleError("you cannot disable yourself or change your own role")
        if op == "role":
            users.update_user(
                state.engine, target.email, actor=me.email, role=str(form.get("role"))
            )
        elif op in ("disable", "enable"):
            users.update_user(state.engine, target.email, actor=me.email, disabled=op == "disable")
        else:
            raise ConsoleError("choose an action")
        flash(request, f"Updated {target.email}.")
    except ConsoleError as exc:
        flash(request, str(exc), "error")
    return RedirectResponse("/admin/users", status_code=303)
