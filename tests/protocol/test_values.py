"""``@value`` behaves as ``@dataclass(frozen=True)``: each check defines the same class
both ways and compares what the two do."""

from __future__ import annotations

import copy
import dataclasses
import pickle
from dataclasses import dataclass, field

import pytest
from hypothesis import given
from hypothesis import strategies as st

from client.protocol.values import value


def _both(**options: object) -> tuple[type, type]:
    """The same point class made by ``@value`` and by ``@dataclass(frozen=True)``."""

    def body(cls: type) -> type:
        cls.__annotations__ = {"x": "int", "label": "str", "tags": "tuple[str, ...]",
                               "note": "str", "cache": "dict"}
        cls.label = "p"
        cls.tags = ()
        cls.note = field(default="", compare=False)
        cls.cache = field(default_factory=dict, repr=False, hash=False)
        return cls

    class Point:
        pass

    class DPoint:
        pass

    made = value(body(Point), **options)  # type: ignore[call-overload]
    reference = dataclass(frozen=True, **options)(body(DPoint))  # type: ignore[call-overload]
    return made, reference


@pytest.mark.parametrize("options", [{}, {"slots": True}, {"slots": True, "kw_only": True}])
@given(x=st.integers(), y=st.integers(), label=st.text(max_size=5),
       tags=st.lists(st.text(max_size=3), max_size=3).map(tuple), note=st.text(max_size=3))
def test_value_semantics_are_the_dataclass_ones(options: dict, x: int, y: int, label: str,
                                                tags: tuple[str, ...], note: str) -> None:
    made, reference = _both(**options)
    a, b = made(x=x, label=label, tags=tags, note=note), made(x=y, label=label, tags=tags)
    ra, rb = (reference(x=x, label=label, tags=tags, note=note),
              reference(x=y, label=label, tags=tags))
    assert (a == b) == (ra == rb)
    assert (a != b) == (ra != rb)
    assert (hash(a) == hash(b)) == (x == y)  # note and cache are not hashed
    assert repr(a).partition("(")[2] == repr(ra).partition("(")[2]
    assert repr(a).startswith(made.__qualname__ + "(x=") and "cache" not in repr(a)
    assert dataclasses.replace(a, x=y) == b.__class__(x=y, label=label, tags=tags, note="?")
    assert dataclasses.astuple(a) == dataclasses.astuple(ra)
    assert made.__match_args__ == reference.__match_args__


@value(slots=True)
class Slotted:
    """Module-level: pickle finds a class by its name."""

    x: int
    label: str = ""


def test_value_is_frozen_and_keeps_slots() -> None:
    made = Slotted
    point = made(x=1)
    with pytest.raises(dataclasses.FrozenInstanceError):
        point.x = 2  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        del point.x  # type: ignore[misc]
    assert "__slots__" in vars(made) and not hasattr(point, "__dict__")
    assert pickle.loads(pickle.dumps(point)) == point
    assert copy.deepcopy(point) == point


def test_value_kw_only_refuses_positional_arguments() -> None:
    made, _ = _both(kw_only=True)
    with pytest.raises(TypeError):
        made(1)


def test_equality_needs_the_very_same_class() -> None:
    @value
    class Base:
        x: int

    @value
    class Derived(Base):
        y: int = 0

    assert Base(1) == Base(1) and Base(1) != Base(2)
    assert Base(1) != Derived(1) and Derived(1) != Base(1)
    assert Base(1).__eq__((1,)) is NotImplemented
    assert Derived(1, 2) == Derived(1, 2) != Derived(1, 3)
    assert repr(Derived(1, 2)).endswith("Derived(x=1, y=2)")
    assert {Base(1), Base(1), Derived(1)} == {Base(1), Derived(1)}


def test_methods_written_in_the_class_are_kept() -> None:
    @value
    class Loose:
        x: int

        def __eq__(self, other: object) -> bool:
            return isinstance(other, Loose)

        def __hash__(self) -> int:
            return 7

        def __repr__(self) -> str:
            return "loose"

    assert Loose(1) == Loose(2) and hash(Loose(1)) == 7 and repr(Loose(1)) == "loose"


def test_a_class_with_eq_but_no_hash_gets_the_field_hash() -> None:
    """As a frozen dataclass: a written ``__eq__`` alone leaves ``__hash__`` to be made."""

    @value
    class Half:
        x: int

        def __eq__(self, other: object) -> bool:
            return isinstance(other, Half) and other.x == self.x

    assert hash(Half(3)) == hash(Half(3))


def test_recursive_repr_does_not_recurse() -> None:
    @value
    class Box:
        items: list

    box = Box([])
    box.items.append(box)
    assert repr(box).endswith("Box(items=[...])")
