"""Account commands: user add|set|password|token|revoke-tokens|list, demo-users (audited as cli:<os user>)."""
from __future__ import annotations

import click

from directory.accounts import (ROLES, AccountError, create_user, demo_accounts, find_user, issue_token, list_users,
                                revoke_tokens, set_password, update_user)
from directory.actors import cli_actor

from .group import main, pass_ctx


@main.group("user")
def user_group():
    """Manage accounts (worker, team_lead, planner, admin).

    Example: yeongye user add kim --role team_lead --complex A
    """


@user_group.command("add")
@click.argument("username")
@click.option("--role", type=click.Choice(ROLES), required=True, help="What the account may do.")
@click.option("--complex", "complexes", multiple=True, help="A complex (name or id) the account works in; repeatable.")
@click.option("--district", "districts", multiple=True, help="A district a planner reads: 시도 or 시도/시군구; repeatable.")
@click.option("--name", "display_name", default="", help="Display name (default: the user name).")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True,
              help="Password (asked for when not given; at least 8 characters).")
@pass_ctx
def user_add(ctx, username, role, complexes, districts, display_name, password):
    """Create an account.

    Example: yeongye user add lee --role planner --district 서울특별시/노원구
    """
    try:
        user = create_user(ctx.db, username, password, role, display_name=display_name,
                           complexes=complexes, districts=districts, actor=cli_actor())
    except AccountError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"계정을 만들었습니다: {user.username} ({user.role_label})")


@user_group.command("set")
@click.argument("username")
@click.option("--role", type=click.Choice(ROLES), help="A new role (ends the account's sessions).")
@click.option("--complex", "complexes", multiple=True,
              help="Replace the complexes (name or id) the account works in; repeatable.")
@click.option("--no-complexes", is_flag=True, help="Take every complex away.")
@click.option("--district", "districts", multiple=True, help="Replace the districts (시도 or 시도/시군구); repeatable.")
@click.option("--no-districts", is_flag=True, help="Take every district away.")
@click.option("--active/--inactive", default=None, help="Enable or disable the account.")
@pass_ctx
def user_set(ctx, username, role, complexes, no_complexes, districts, no_districts, active):
    """Change an account's role, complexes, districts or active flag; what is not given stays.

    Example: yeongye user set kim --role worker --complex A --complex B
    """
    try:
        user = update_user(ctx.db, find_user(ctx.db, username).id, role=role,
                           complexes=() if no_complexes else (complexes or None),
                           districts=() if no_districts else (districts or None),
                           active=active, actor=cli_actor())
    except AccountError as exc:
        raise click.ClickException(str(exc)) from exc
    state = "" if user.active else " (사용 중지)"
    click.echo(f"바꿨습니다: {user.username} ({user.role_label}){state}")


@user_group.command("password")
@click.argument("username")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True,
              help="The new password (asked for when not given; at least 8 characters).")
@pass_ctx
def user_password(ctx, username, password):
    """Set an account's password; every session of the account ends.

    Example: yeongye user password kim
    """
    try:
        set_password(ctx.db, find_user(ctx.db, username).id, password, actor=cli_actor())
    except AccountError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"비밀번호를 바꿨습니다: {username}")


@user_group.command("list")
@pass_ctx
def user_list(ctx):
    """List accounts with their role, complexes and districts.

    Example: yeongye user list
    """
    users = list_users(ctx.db)
    if not users:
        click.echo("계정이 없습니다. yeongye user add 로 만드세요.")
    for u in users:
        scope = ", ".join(u["complexes"] + u["districts"]) or "-"
        state = "" if u["active"] else " (사용 중지)"
        click.echo(f"{u['username']}\t{u['role']}\t{scope}{state}")


@user_group.command("token")
@click.argument("username")
@click.option("--label", default="", help="What the token is for.")
@pass_ctx
def user_token(ctx, username, label):
    """Issue an API token (Authorization: Bearer …); it is shown only once.

    Example: yeongye user token kim --label 엑셀연동
    """
    try:
        token = issue_token(ctx.db, find_user(ctx.db, username).id, label, actor=cli_actor())
    except AccountError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(token)


@user_group.command("revoke-tokens")
@click.argument("username")
@pass_ctx
def user_revoke_tokens(ctx, username):
    """Delete every API token of an account.

    Example: yeongye user revoke-tokens kim
    """
    try:
        count = revoke_tokens(ctx.db, find_user(ctx.db, username).id, actor=cli_actor())
    except AccountError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"토큰 {count}개를 폐기했습니다: {username}")


@main.command("demo-users")
@pass_ctx
def demo_users_command(ctx):
    """Create or reset one demo account per role and print their new random passwords.

    Example: yeongye --db instance/yeongye.db demo-users
    """
    rows = demo_accounts(ctx.db, actor=cli_actor())
    click.echo("데모 계정 (비밀번호는 지금만 표시됩니다; 다시 만들려면 yeongye demo-users):")
    for username, password, role, scope in rows:
        click.echo(f"  {username:<9} {password:<14} {role:<10} {scope}")
