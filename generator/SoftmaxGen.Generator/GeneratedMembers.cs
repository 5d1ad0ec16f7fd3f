using System.Collections.Immutable;

namespace SoftmaxGen.Generator;

/// <summary>
/// The members the generator adds to a <c>[SoftmaxKernel]</c> type: the one list the collision rules (SMG006-SMG008)
/// check. An emitter that adds a member to the user's type adds its name here, in the same commit; the test
/// <c>GeneratedMembersTests</c> fails while a member the emitters write is missing from this list, or listed but not
/// written.
/// </summary>
internal static class GeneratedMembers
{
    /// <summary>Every member written into the user's type, in the order the emitters write them.</summary>
    public static readonly ImmutableArray<GeneratedMember> All = ImmutableArray.Create(
        new GeneratedMember("Classes", IsMethod: false),
        new GeneratedMember("Softmax", IsMethod: true),
        new GeneratedMember("LogSoftmax", IsMethod: true),
        new GeneratedMember("CrossEntropy", IsMethod: true),
        new GeneratedMember("Argmax", IsMethod: true),
        new GeneratedMember("CrossEntropyWithGradient", IsMethod: true),
        new GeneratedMember("NllLoss", IsMethod: true),
        new GeneratedMember("CrossEntropyFromProbabilities", IsMethod: true),
        new GeneratedMember("SoftmaxGradient", IsMethod: true),
        new GeneratedMember("LogSoftmaxGradient", IsMethod: true),
        new GeneratedMember("TopK", IsMethod: true),
        new GeneratedMember("LogSumExp", IsMethod: true));

    /// <summary>The generated member named <paramref name="name"/> (ordinal, as C# compares names), or null.</summary>
    public static GeneratedMember? Find(string name)
    {
        foreach (GeneratedMember member in All)
        {
            if (member.Name == name)
            {
                return member;
            }
        }

        return null;
    }
}

/// <summary>One generated member of the user's type.</summary>
/// <param name="Name">Its name.</param>
/// <param name="IsMethod">Whether it is a method (overloads with other parameters can live beside it) rather than a constant, field, property or type.</param>
internal readonly record struct GeneratedMember(string Name, bool IsMethod);
