import Foundation

/// Numbers as reports show them. Locale-independent (always a dot), so a report reads the same
/// on every machine.
public enum Format {
    /// `value` with `digits` decimals; "n/a" when it is not finite.
    public static func fixed(_ value: Double, _ digits: Int) -> String {
        guard value.isFinite else { return "n/a" }
        let text = String(format: "%.\(max(0, min(digits, 12)))f", value)
        // No "-0.000": a value that rounds to zero is shown unsigned.
        if text.hasPrefix("-"), Double(text) == 0 { return String(text.dropFirst()) }
        return text
    }

    /// A signed difference with 3 decimals ("+0.120", "-0.034").
    public static func signed(_ value: Double) -> String {
        let text = fixed(value, 3)
        return value > 0 && Double(text) != 0 ? "+" + text : text
    }

    /// "0.912 [0.871, 0.953]" for an estimate over seeds; "0.912 (1 seed)" without an interval; "-" when empty.
    /// The interval is clipped to `bounds` (an accuracy's t interval can reach past 1 when seeds disagree).
    public static func estimate(_ estimate: Estimate, digits: Int = 3, bounds: ClosedRange<Double>? = 0...1) -> String {
        guard let mean = estimate.mean else { return "-" }
        guard let interval = estimate.interval else { return "\(fixed(mean, digits)) (1 seed)" }
        var lower = interval.lower, upper = interval.upper
        if let bounds {
            lower = Swift.min(Swift.max(lower, bounds.lowerBound), bounds.upperBound)
            upper = Swift.min(Swift.max(upper, bounds.lowerBound), bounds.upperBound)
        }
        return "\(fixed(mean, digits)) [\(fixed(lower, digits)), \(fixed(upper, digits))]"
    }

    /// A chance level: 3 decimals, or "<0.001" for smaller positive values.
    public static func chance(_ value: Double) -> String {
        value > 0 && value < 0.0005 ? "<0.001" : fixed(value, 3)
    }

    /// "+0.120 [+0.080, +0.160]" for an effect.
    public static func effect(_ interval: ConfidenceInterval) -> String {
        "\(signed(interval.estimate)) [\(signed(interval.lower)), \(signed(interval.upper))]"
    }

    /// Seconds as "0.8 s", "42 s", "3.5 min", "2.1 h".
    public static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite else { return "n/a" }
        if seconds < 10 { return fixed(seconds, 1) + " s" }
        if seconds < 120 { return fixed(seconds, 0) + " s" }
        if seconds < 7200 { return fixed(seconds / 60, 1) + " min" }
        return fixed(seconds / 3600, 1) + " h"
    }

    /// An integer with thin groups of three ("933,396").
    public static func grouped(_ value: Int) -> String {
        let digits = String(abs(value))
        var out = ""
        for (index, character) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { out += "," }
            out.append(character)
        }
        return (value < 0 ? "-" : "") + out
    }
}

/// A task's size name as a plural: "length" -> "lengths"; names that are plurals already ("pairs",
/// "digits") become "numbers of pairs".
func sizePlural(_ name: String) -> String {
    name.hasSuffix("s") ? "numbers of \(name)" : name + "s"
}

/// A task's size name after "each": "length", or "number of pairs" for names that are plurals.
func sizeSingular(_ name: String) -> String {
    name.hasSuffix("s") ? "number of \(name)" : name
}
