import Foundation

/// The SHA-256 of a file as coreutils' `sha256sum` computes it: an independent check of the digests
/// ablate records for its artifacts.
public enum FileDigest {
    public static func sha256(_ path: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
        process.arguments = [path]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        return String(text.prefix { !$0.isWhitespace })
    }
}
