"""Frozen value classes that are cheap to define: :func:`value`.

A frozen dataclass costs ~0.4 ms to create, most of it compiling six generated methods
with ``exec``; a ``get`` from the command line creates a few dozen such classes before
its first byte is sent. :func:`value` is ``@dataclass(frozen=True, ...)`` whose
``__eq__``, ``__hash__`` and ``__repr__`` are built from the fields without compiling
anything (a third less time per class). The class stays a dataclass in every other
way: the same ``__init__``, frozen attributes, ``dataclasses.fields``, ``replace`` and
``asdict``, ``__match_args__``, slots when asked.

Semantics are the dataclass's: equal when the other object is of the very same class
and the compared fields are equal (``NotImplemented`` otherwise), hashed over the
compared fields (or those with ``hash=True``), shown as ``Name(field=value, …)``.
"""

from __future__ import annotations

import dataclasses
import operator
import reprlib
from collections.abc import Callable

#: ``typing`` is imported by type checkers only: it is not loaded before a ``get`` dials.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import TypeVar, dataclass_transform

    _T = TypeVar("_T")
else:
    def dataclass_transform(**_kwargs: object) -> Callable[[Callable], Callable]:
        return lambda decorator: decorator

__all__ = ["value"]


@dataclass_transform(frozen_default=True, field_specifiers=(dataclasses.field,))
def value(cls: type[_T] | None = None, /, *, slots: bool = False, kw_only: bool = False,
          match_args: bool = True) -> type[_T] | Callable[[type[_T]], type[_T]]:
    """``@dataclass(frozen=True)`` for a value class, cheaper to create (see above)."""

    def make(cls: type[_T]) -> type[_T]:
        made = dataclasses.dataclass(cls, frozen=True, eq=False, repr=False, slots=slots,
                                     kw_only=kw_only, match_args=match_args)
        _add_value_methods(made)
        return made

    return make if cls is None else make(cls)


def _getter(names: tuple[str, ...]) -> Callable[[object], object]:
    """The fields' values in one C call (a tuple; the value itself for one field)."""
    if not names:
        return lambda _obj: ()
    return operator.attrgetter(*names)


def _add_value_methods(cls: type) -> None:
    fields = dataclasses.fields(cls)
    compared = _getter(tuple(f.name for f in fields if f.compare))
    hashed = _getter(tuple(f.name for f in fields
                           if (f.compare if f.hash is None else f.hash)))
    shown = tuple(f.name for f in fields if f.repr)

    def __eq__(self: object, other: object) -> bool:  # noqa: N807 - the dunder itself
        if other.__class__ is self.__class__:
            return compared(self) == compared(other)
        return NotImplemented

    def __hash__(self: object) -> int:  # noqa: N807
        return hash(hashed(self))

    @reprlib.recursive_repr()
    def __repr__(self: object) -> str:  # noqa: N807
        values = ", ".join(f"{name}={getattr(self, name)!r}" for name in shown)
        return f"{self.__class__.__qualname__}({values})"

    own = cls.__dict__
    class_hash = own.get("__hash__", dataclasses.MISSING)
    explicit_hash = not (class_hash is dataclasses.MISSING
                         or (class_hash is None and "__eq__" in own))
    for method in (__eq__, __hash__, __repr__):
        if method.__name__ in own and (method is not __hash__ or explicit_hash):
            continue  # written in the class body: kept, as the dataclass keeps it
        method.__qualname__ = f"{cls.__qualname__}.{method.__name__}"
        setattr(cls, method.__name__, method)
