namespace SoftmaxGen.Kernels;

/// <summary>
/// An operation that runs with whichever lanes the driver picks: <typeparamref name="TResult"/> Run with
/// <c>TOps</c>, vectors <c>TVec</c> of <c>T</c> (the operation's own element type: <see cref="VectorDispatch"/> calls
/// it with the <c>T</c> it was given) in the layout <see cref="LayoutTable"/> chose for that width.
/// </summary>
/// <typeparam name="TResult">What the operation returns.</typeparam>
internal interface ILayoutOperation<TResult>
{
    TResult Run<TOps, TVec, T>(RowLayout layout)
        where TOps : ISimd<TVec, T>
        where TVec : struct
        where T : unmanaged, IFloatingPointIeee754<T>;
}

/// <summary>
/// An operation over independent positions: Run covers whole vectors from <c>start</c> and returns the first
/// position left, which the next narrower lanes (and finally the scalar lane) continue from.
/// </summary>
internal interface ISweepOperation
{
    nuint Run<TOps, TVec, T>(nuint start)
        where TOps : ISimd<TVec, T>
        where TVec : struct
        where T : unmanaged, IFloatingPointIeee754<T>;
}

/// <summary>
/// The one place that maps an element type and the hardware to the lanes of <see cref="ISimd{TVec, T}"/>: Vector512, then
/// Vector256, then Vector128 (the JIT folds the checks to constants), then the scalar lane. The operation structs are
/// specialised per instantiation, so after inlining a dispatch is the same code as a hand-written ladder. The precision
/// is one more type argument of the lanes (<see cref="IPrecision"/>), chosen here from <see cref="SoftmaxPrecision"/>.
/// </summary>
internal static class VectorDispatch
{
    /// <summary>
    /// The method options of every kernel the dispatch reaches: compiled fully optimised at the first call (no tier-0
    /// loops on a user's first batches), and never inlined, because a tier-1 caller that took a kernel in had no
    /// inlining budget left for the kernel's own helpers (the exponential became a call: 2-2.5x slower in the steady
    /// state than in the first calls).
    /// </summary>
    internal const MethodImplOptions KernelEntry = MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization;

    /// <summary>
    /// Runs <paramref name="operation"/> once, at the widest accelerated width whose layout by <paramref name="rule"/>
    /// for <paramref name="classes"/> is not <see cref="RowLayout.None"/>, else in the scalar lane (as
    /// <see cref="RowLayout.Row"/>, or <see cref="RowLayout.None"/> under <see cref="LayoutRule.OptionColumns"/>).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static TResult ByLayout<TOperation, T, TResult>(ref TOperation operation, int classes, LayoutRule rule = LayoutRule.Table)
        where TOperation : ILayoutOperation<TResult>, allows ref struct
        where T : unmanaged, IFloatingPointIeee754<T>
        => ByLayout<TOperation, T, TResult, ExactPrecision>(ref operation, classes, rule);

    /// <summary>
    /// <see cref="ByLayout{TOperation, T, TResult}(ref TOperation, int, LayoutRule)"/> with the lanes of
    /// <paramref name="precision"/>: the one place where the enumeration becomes a type argument.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static TResult ByLayout<TOperation, T, TResult>(ref TOperation operation, int classes, SoftmaxPrecision precision, LayoutRule rule = LayoutRule.Table)
        where TOperation : ILayoutOperation<TResult>, allows ref struct
        where T : unmanaged, IFloatingPointIeee754<T>
        => precision == SoftmaxPrecision.Fast
            ? ByLayout<TOperation, T, TResult, FastPrecision>(ref operation, classes, rule)
            : ByLayout<TOperation, T, TResult, ExactPrecision>(ref operation, classes, rule);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static TResult ByLayout<TOperation, T, TResult, TPrecision>(ref TOperation operation, int classes, LayoutRule rule)
        where TOperation : ILayoutOperation<TResult>, allows ref struct
        where T : unmanaged, IFloatingPointIeee754<T>
        where TPrecision : struct, IPrecision
    {
        return typeof(T) == typeof(float)
            ? ByLayout<TOperation, TResult, float, Simd512<float, SingleLanes, TPrecision>, Vector512<float>, Simd256<float, SingleLanes, TPrecision>, Vector256<float>, Simd128<float, SingleLanes, TPrecision>, Vector128<float>, Scalar<float, SingleLanes, TPrecision>>(ref operation, classes, rule)
            : ByLayout<TOperation, TResult, double, Simd512<double, DoubleLanes, TPrecision>, Vector512<double>, Simd256<double, DoubleLanes, TPrecision>, Vector256<double>, Simd128<double, DoubleLanes, TPrecision>, Vector128<double>, Scalar<double, DoubleLanes, TPrecision>>(ref operation, classes, rule);
    }

    /// <summary>Runs <paramref name="operation"/> from position 0 with every accelerated width, widest first, then the scalar lane for what is left.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Sweep<TOperation, T>(ref TOperation operation, SoftmaxPrecision precision = SoftmaxPrecision.Exact)
        where TOperation : ISweepOperation, allows ref struct
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (precision == SoftmaxPrecision.Fast)
            Sweep<TOperation, T, FastPrecision>(ref operation);
        else
            Sweep<TOperation, T, ExactPrecision>(ref operation);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Sweep<TOperation, T, TPrecision>(ref TOperation operation)
        where TOperation : ISweepOperation, allows ref struct
        where T : unmanaged, IFloatingPointIeee754<T>
        where TPrecision : struct, IPrecision
    {
        if (typeof(T) == typeof(float))
            Sweep<TOperation, float, Simd512<float, SingleLanes, TPrecision>, Vector512<float>, Simd256<float, SingleLanes, TPrecision>, Vector256<float>, Simd128<float, SingleLanes, TPrecision>, Vector128<float>, Scalar<float, SingleLanes, TPrecision>>(ref operation);
        else
            Sweep<TOperation, double, Simd512<double, DoubleLanes, TPrecision>, Vector512<double>, Simd256<double, DoubleLanes, TPrecision>, Vector256<double>, Simd128<double, DoubleLanes, TPrecision>, Vector128<double>, Scalar<double, DoubleLanes, TPrecision>>(ref operation);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TResult ByLayout<TOperation, TResult, T, T512, V512, T256, V256, T128, V128, TScalar>(ref TOperation operation, int classes, LayoutRule rule)
        where TOperation : ILayoutOperation<TResult>, allows ref struct
        where T : unmanaged, IFloatingPointIeee754<T>
        where T512 : ISimd<V512, T> where V512 : struct
        where T256 : ISimd<V256, T> where V256 : struct
        where T128 : ISimd<V128, T> where V128 : struct
        where TScalar : ISimd<T, T>
    {
        int size = Unsafe.SizeOf<T>();
        RowLayout layout;
        if (Vector512.IsHardwareAccelerated && (layout = LayoutTable.For(rule, classes, size, Vector512<byte>.Count)) != RowLayout.None)
            return operation.Run<T512, V512, T>(layout);
        if (Vector256.IsHardwareAccelerated && (layout = LayoutTable.For(rule, classes, size, Vector256<byte>.Count)) != RowLayout.None)
            return operation.Run<T256, V256, T>(layout);
        if (Vector128.IsHardwareAccelerated && (layout = LayoutTable.For(rule, classes, size, Vector128<byte>.Count)) != RowLayout.None)
            return operation.Run<T128, V128, T>(layout);
        return operation.Run<TScalar, T, T>(rule == LayoutRule.OptionColumns ? RowLayout.None : RowLayout.Row);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Sweep<TOperation, T, T512, V512, T256, V256, T128, V128, TScalar>(ref TOperation operation)
        where TOperation : ISweepOperation, allows ref struct
        where T : unmanaged, IFloatingPointIeee754<T>
        where T512 : ISimd<V512, T> where V512 : struct
        where T256 : ISimd<V256, T> where V256 : struct
        where T128 : ISimd<V128, T> where V128 : struct
        where TScalar : ISimd<T, T>
    {
        nuint i = 0;
        if (Vector512.IsHardwareAccelerated)
            i = operation.Run<T512, V512, T>(i);
        if (Vector256.IsHardwareAccelerated)
            i = operation.Run<T256, V256, T>(i);
        if (Vector128.IsHardwareAccelerated)
            i = operation.Run<T128, V128, T>(i);
        operation.Run<TScalar, T, T>(i);
    }

    /// <summary>A reference to the operation's element type as the <typeparamref name="T"/> of Run (the same type: the driver passes the one it was given).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static ref T As<TElement, T>(ref TElement reference) => ref Unsafe.As<TElement, T>(ref reference);

    /// <summary>A span of the operation's element type as the <typeparamref name="T"/> of Run (the same type).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static System.ReadOnlySpan<T> As<TElement, T>(System.ReadOnlySpan<TElement> span) =>
        System.Runtime.InteropServices.MemoryMarshal.CreateReadOnlySpan(ref Unsafe.As<TElement, T>(ref System.Runtime.InteropServices.MemoryMarshal.GetReference(span)), span.Length);

    /// <summary>A span of the operation's element type as the <typeparamref name="T"/> of Run (the same type).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static System.Span<T> As<TElement, T>(System.Span<TElement> span) =>
        System.Runtime.InteropServices.MemoryMarshal.CreateSpan(ref Unsafe.As<TElement, T>(ref System.Runtime.InteropServices.MemoryMarshal.GetReference(span)), span.Length);
}
