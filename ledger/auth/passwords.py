"""Argon2id hashing and the password rules of §2."""
from __future__ import annotations

from functools import lru_cache

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from zxcvbn.frequency_lists import FREQUENCY_LISTS

MIN_LENGTH = 12
MAX_LENGTH = 256


@lru_cache(maxsize=1)
def _common_passwords() -> frozenset[str]:
    # zxcvbn's list of the 30,000 most common leaked passwords (a maintained package).
    return frozenset(p.lower() for p in FREQUENCY_LISTS["passwords"])


@lru_cache(maxsize=8)
def _hasher(memory_cost: int, time_cost: int, parallelism: int) -> PasswordHasher:
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_cost,
                          parallelism=parallelism, type=Type.ID)


def hasher() -> PasswordHasher:
    cfg = current_app.config
    return _hasher(cfg["ARGON2_MEMORY_COST"], cfg["ARGON2_TIME_COST"], cfg["ARGON2_PARALLELISM"])


@lru_cache(maxsize=8)
def _dummy_hash(memory_cost: int, time_cost: int, parallelism: int) -> str:
    return _hasher(memory_cost, time_cost, parallelism).hash("not a real password, only for timing")


def hash_password(password: str) -> str:
    return hasher().hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Verify; with no hash (unknown user) verify against a dummy so the time is the same."""
    cfg = current_app.config
    target = password_hash or _dummy_hash(cfg["ARGON2_MEMORY_COST"], cfg["ARGON2_TIME_COST"],
                                          cfg["ARGON2_PARALLELISM"])
    try:
        hasher().verify(target, password)
    except (VerificationError, InvalidHashError):
        return False
    return password_hash is not None


def needs_rehash(password_hash: str) -> bool:
    return hasher().check_needs_rehash(password_hash)


def password_problems(password: str, email: str | None) -> list[str]:
    """The reasons a new password is refused (empty when it is acceptable)."""
    problems = []
    if len(password) < MIN_LENGTH:
        problems.append(f"Must be at least {MIN_LENGTH} characters.")
    if len(password) > MAX_LENGTH:
        problems.append(f"Must be at most {MAX_LENGTH} characters.")
    if password.lower() in _common_passwords():
        problems.append("Is too common (found in lists of breached passwords).")
    if email and password.strip().lower() == email.strip().lower():
        problems.append("Must not be the email address.")
    return problems
