"""A cache prefetch hint for numba loops (LLVM's ``llvm.prefetch``)."""

from __future__ import annotations

from typing import Any

from llvmlite import ir
from numba import types
from numba.core import cgutils
from numba.extending import intrinsic


@intrinsic
def prefetch_row(typingctx: Any, arr: Any, k: Any) -> Any:
    """``prefetch_row(arr, k)``: ask the CPU to start loading row ``k`` of ``arr`` into cache.

    A hint only (LLVM's ``llvm.prefetch``): it never faults and changes no result. The loop
    knows the bars of its next events long before it reaches them, so their prices are
    already in cache when it gets there instead of costing a trip to memory each.
    """
    if not isinstance(arr, types.Array) or not isinstance(k, types.Integer):
        return None

    def codegen(context, builder, signature, args):  # type: ignore[no-untyped-def]
        aryty = signature.args[0]
        ary = context.make_array(aryty)(context, builder, args[0])
        idx = context.cast(builder, args[1], signature.args[1], types.intp)
        zero = context.get_constant(types.intp, 0)
        ptr = cgutils.get_item_pointer2(
            context,
            builder,
            data=ary.data,
            shape=cgutils.unpack_tuple(builder, ary.shape),
            strides=cgutils.unpack_tuple(builder, ary.strides),
            layout=aryty.layout,
            inds=[idx] + [zero] * (aryty.ndim - 1),
        )
        i32 = ir.IntType(32)
        fnty = ir.FunctionType(ir.VoidType(), [ptr.type, i32, i32, i32])
        fn = cgutils.get_or_insert_function(builder.module, fnty, "llvm.prefetch.p0")
        builder.call(fn, [ptr, i32(0), i32(3), i32(1)])  # read, keep in all cache levels, data
        return context.get_dummy_value()

    return types.void(arr, k), codegen


__all__ = ["prefetch_row"]
