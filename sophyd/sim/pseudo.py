"""Synthetic pseudo positioners, as in classic ``ophyd.sim``: pseudo axes over soft real motors, no IOC.

``SPseudo3x3`` maps three pseudo axes to three reals (each real is minus its pseudo axis); ``SPseudo1x3``
drives three reals from one pseudo axis. Both move at once and need no thread.
"""

from __future__ import annotations

from typing import Any

from .._component import Component as Cpt
from .._signal import Signal
from ..kind import Kind
from ..positioner import SoftPositioner
from ..pseudopos import PseudoPositioner, PseudoSingle, pseudo_position_argument, real_position_argument

__all__ = ["SPseudo1x3", "SPseudo3x3"]


class SPseudo3x3(PseudoPositioner):
    """Three pseudo axes (``pseudo1`` and ``pseudo2`` limited to [-10, 10]) over three soft reals at 0."""

    pseudo1 = Cpt(PseudoSingle, limits=(-10, 10), egu="a", kind=Kind.hinted)
    pseudo2 = Cpt(PseudoSingle, limits=(-10, 10), egu="b", kind=Kind.hinted)
    pseudo3 = Cpt(PseudoSingle, limits=None, egu="c", kind=Kind.hinted)
    real1 = Cpt(SoftPositioner, init_pos=0)
    real2 = Cpt(SoftPositioner, init_pos=0)
    real3 = Cpt(SoftPositioner, init_pos=0)
    sig = Cpt(Signal, value=0)

    @pseudo_position_argument
    def forward(self, pseudo_pos: Any) -> Any:
        return self.RealPosition(
            real1=-pseudo_pos.pseudo1, real2=-pseudo_pos.pseudo2, real3=-pseudo_pos.pseudo3
        )

    @real_position_argument
    def inverse(self, real_pos: Any) -> Any:
        return self.PseudoPosition(pseudo1=-real_pos.real1, pseudo2=-real_pos.real2, pseudo3=-real_pos.real3)


class SPseudo1x3(PseudoPositioner):
    """One pseudo axis (limited to [-10, 10]) driving three soft reals to minus its position."""

    pseudo1 = Cpt(PseudoSingle, limits=(-10, 10), kind=Kind.hinted)
    real1 = Cpt(SoftPositioner, init_pos=0)
    real2 = Cpt(SoftPositioner, init_pos=0)
    real3 = Cpt(SoftPositioner, init_pos=0)

    @pseudo_position_argument
    def forward(self, pseudo_pos: Any) -> Any:
        value = -pseudo_pos.pseudo1
        return self.RealPosition(real1=value, real2=value, real3=value)

    @real_position_argument
    def inverse(self, real_pos: Any) -> Any:
        return self.PseudoPosition(pseudo1=-real_pos.real1)
