using Microsoft.CodeAnalysis.Diagnostics;

namespace SoftmaxGen.Generator;

/// <summary>
/// The setup SoftmaxGen's analyzers share: generated code is not analysed, analysis runs concurrently, and each
/// compilation registers its own actions, so that one without the runtime's types costs nothing.
/// </summary>
public abstract class SoftmaxGenAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc/>
    public sealed override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(OnCompilationStart);
    }

    /// <summary>Registers the actions for one compilation, where it has the types the analyzer checks.</summary>
    protected abstract void OnCompilationStart(CompilationStartAnalysisContext context);
}
