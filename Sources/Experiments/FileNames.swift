/// The file names made from a name in an experiment file: the one place that turns a name (any
/// text) into a path component.
///
/// An experiment's name may be any text, but its database (`results/STEM.sqlite`), checkpoints
/// folder (`results/STEM-checkpoints/`), shard folder (`results/STEM-slurm/`), reports
/// (`reports/STEM.md`, `.html`) and figures (`plots/STEM/`) are all named by `stem(_:)`:
///
///     stem("positional") == "positional"                   // a plain name is its own stem
///     stem("../escaped") == "_._escaped~75a9a607e451f2f7"  // anything else: made safe, plus a hash
///     stem("déjà vu")    == "d_j__vu~2339cb732d32543b"
///
/// A plain name is 1 to 100 characters of `A-Z a-z 0-9 . _ -` that does not start with `.` or `-`;
/// every existing experiment has one, so its files keep their names. Any other name gives its
/// characters with each one outside that set replaced by `_` (a leading `.` or `-` too), cut to 83
/// characters, then `~` and the first 16 hex digits of the SHA-256 of the whole name (its UTF-8
/// bytes). A plain name never holds `~`, so distinct names give distinct stems. A stem is at most
/// 100 ASCII bytes: with the longest suffix (`-checkpoints`) it stays far below the 255 bytes a
/// file name may have. It is never empty, `.` or `..`, never hidden, never looks like an option,
/// and holds no `/`, NUL, control character, space or quote.
///
/// On a file system that ignores case (macOS by default), two names that differ only in case share
/// their files.
public enum FileNames {
    /// The longest stem, in characters (ASCII bytes).
    public static let maxStemLength = 100
    /// Hex digits of the SHA-256 of the name in the stem of a name that is not plain.
    static let hashDigits = 16
    /// Between the made-safe characters and the hash; never in a plain name.
    static let hashSeparator: Character = "~"

    /// `name` as one safe path component (see the type's description).
    public static func stem(_ name: String) -> String {
        if isPlain(name) { return name }
        var safe = ""
        for scalar in name.unicodeScalars.prefix(maxStemLength - hashDigits - 1) {
            safe.append(isSafe(scalar) ? Character(scalar) : "_")
        }
        if let first = safe.first, first == "." || first == "-" { safe = "_" + safe.dropFirst() }
        if safe.isEmpty { safe = "_" }
        return safe + String(hashSeparator) + String(SHA256.hex(name).prefix(hashDigits))
    }

    /// True when `name` is its own stem: 1 to 100 characters of `A-Z a-z 0-9 . _ -`, not starting
    /// with `.` or `-`.
    public static func isPlain(_ name: String) -> Bool {
        let scalars = name.unicodeScalars
        guard let first = scalars.first, first != ".", first != "-", scalars.count <= maxStemLength else { return false }
        return scalars.allSatisfy(isSafe)
    }

    /// The database `ablate run` uses for an experiment unless told otherwise: `results/STEM.sqlite`.
    public static func database(forExperiment name: String) -> String {
        "results/\(stem(name)).sqlite"
    }

    /// The files and folders an experiment's name gives, relative to the working directory, in the
    /// order `validate` lists them.
    public static func files(forExperiment name: String) -> [String] {
        let stem = stem(name)
        return ["results/\(stem).sqlite", "results/\(stem)-checkpoints/", "reports/\(stem).md", "reports/\(stem).html", "plots/\(stem)/"]
    }

    private static func isSafe(_ scalar: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
            || scalar == "." || scalar == "_" || scalar == "-"
    }
}
