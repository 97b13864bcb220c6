using System.Management.Automation;
using System.Text.RegularExpressions;

namespace OutlookQrGuard.Infrastructure;

/// <summary>
/// -RuleId: dcr- and 32 hexadecimal digits (a DCR's immutableId; not its resource id or name).
/// The engine checks the same before sending; this gives the error at binding time, in the
/// admin's language.
/// </summary>
public sealed class ValidateRuleIdAttribute : ValidateArgumentsAttribute
{
    private static readonly Regex Shape = new("^dcr-[0-9a-fA-F]{32}$", RegexOptions.CultureInvariant);

    protected override void Validate(object arguments, EngineIntrinsics engineIntrinsics)
    {
        var text = arguments as string ?? arguments?.ToString() ?? string.Empty;
        if (!Shape.IsMatch(text))
        {
            throw new ValidationMetadataException(string.Format(System.Globalization.CultureInfo.CurrentCulture, Messages.InvalidRuleId, text));
        }
    }
}

/// <summary>-StreamName: Custom- and letters, digits or _ (the rule's streamDeclarations name).</summary>
public sealed class ValidateCustomStreamAttribute : ValidateArgumentsAttribute
{
    private static readonly Regex Shape = new("^Custom-[A-Za-z0-9_]{1,100}$", RegexOptions.CultureInvariant);

    protected override void Validate(object arguments, EngineIntrinsics engineIntrinsics)
    {
        var text = arguments as string ?? arguments?.ToString() ?? string.Empty;
        if (!Shape.IsMatch(text))
        {
            throw new ValidationMetadataException(string.Format(System.Globalization.CultureInfo.CurrentCulture, Messages.InvalidStreamName, text));
        }
    }
}
