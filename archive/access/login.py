"""A login attempt, throttled: failures per user name and per address lock both for a while.

Every refusal does the same work whatever its reason (the lockout check, one scrypt
verification, the same writes; a refusal during a lockout counts too, so an attack that goes on
keeps the lock), and an unknown user and a wrong password get the same
message: neither the answer nor its time tells whether a name exists. A name that does not
exist is locked like one that does, so the lockout says nothing either.
"""

import time
from dataclasses import dataclass

from .audit import printable
from .levels import AccessConfig
from .store import NAME_MAX, Store, User, name_problem

WRONG = "用户名或密码不正确。"
LOCKED = "失败次数过多，已暂时锁定，请 {minutes} 分钟后再试。"


@dataclass
class Attempt:
    user: User | None
    message: str = ""
    locked: bool = False


def attempt(store: Store, config: AccessConfig, name: str, password: str, address: str) -> Attempt:
    now = time.time()
    # A name no user can have (control characters, NUL, too long) is a wrong login like any other: counted
    # under its escaped, cut form (the store never sees the raw text), checked against no user.
    valid = name_problem(name) is None
    keys = [f"user:{name if valid else printable(name[:NAME_MAX])}", f"address:{printable(address)}"]
    wait = store.locked(keys, now)
    user = store.check_password(name if valid else "", password)  # (also while locked: the same work)
    if wait > 0 or user is None:  # every refusal is counted: the same writes whatever the reason
        store.fail(keys, now, config.lockout_failures, config.lockout_minutes * 60)
    if wait > 0:
        return Attempt(None, LOCKED.format(minutes=max(1, round(wait / 60))), locked=True)
    if user is None:
        return Attempt(None, WRONG)
    store.clear_failures(keys[0])  # (the address keeps its count: one good login must not reset a spray)
    return Attempt(user)
