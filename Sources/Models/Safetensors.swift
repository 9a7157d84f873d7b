import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads and writes Float32 tensors in the safetensors format (huggingface/safetensors), the format
/// of ablate's checkpoints:
///
///     8 bytes      N, the header length, a little-endian UInt64
///     N bytes      the header: UTF-8 JSON, padded with spaces to a multiple of 8 bytes
///                  {"__metadata__": {"key": "value", ...},
///                   "NAME": {"dtype": "F32", "shape": [2, 3], "data_offsets": [BEGIN, END]}, ...}
///     the rest     the data: each tensor's elements, row-major, little-endian, packed one after another
///
/// `data_offsets` count bytes from the start of the data section. A reader checks, before reading any
/// tensor, that the offsets sorted in order tile the data section exactly (the first begins at 0,
/// each begins where the previous ends, the last ends at the end of the file), that each tensor's
/// byte length is its element count times the element size, and that the header is at most 100 MB,
/// as the reference implementation does.
public enum Safetensors {
    /// One tensor of a file: its name, its shape (outermost first, `[]` for a scalar) and its values.
    public typealias Tensor = (name: String, shape: [Int], values: [Float])

    /// The largest header the reference implementation accepts (and so the largest ablate reads).
    public static let maximumHeaderLength = 100_000_000

    /// Writes `tensors`, in the order given, and `metadata` to `url`.
    ///
    /// The file appears whole or not at all: it is written to a temporary file in the same folder,
    /// flushed to disk, then renamed over `url`. The header lists the tensors in the order given and
    /// the metadata keys sorted, so the same tensors and metadata always give the same bytes.
    /// Duplicate names, the name `__metadata__` and a value count that does not match the shape are
    /// programmer mistakes (precondition failures); a file system error is thrown as
    /// `SafetensorsError.writeFailed`.
    public static func write(tensors: [(name: String, shape: [Int], values: UnsafeBufferPointer<Float>)],
                             metadata: [String: String], to url: URL) throws {
        var names = Set<String>()
        for tensor in tensors {
            precondition(tensor.name != metadataKey, "a tensor cannot be called \(metadataKey)")
            precondition(names.insert(tensor.name).inserted, "duplicate tensor name \"\(tensor.name)\"")
            precondition(tensor.shape.allSatisfy { $0 >= 0 }, "tensor \"\(tensor.name)\" has a negative dimension: \(tensor.shape)")
            precondition(tensor.shape.reduce(1, *) == tensor.values.count,
                         "tensor \"\(tensor.name)\" of shape \(tensor.shape) given \(tensor.values.count) values")
        }
        let header = encodeHeader(tensors: tensors.map { ($0.name, $0.shape, $0.values.count) }, metadata: metadata)
        var length = UInt64(header.count).littleEndian
        let lengthBytes = withUnsafeBytes(of: &length) { Array($0) }

        try AtomicFile.write(to: url) { file in
            try file.write(lengthBytes)
            try file.write(header)
            for tensor in tensors {
                try file.writeLittleEndian(tensor.values)
            }
        }
    }

    /// Reads every tensor and the metadata of the file at `url`.
    ///
    /// The tensors come in the order of their data in the file (which is the order `write` was
    /// given); empty tensors that share an offset are ordered by name. Only `F32` tensors are
    /// supported. Everything is validated before any value is read; a file that breaks a rule of
    /// the format throws a `SafetensorsError` naming the file and the rule.
    public static func read(from url: URL) throws -> (tensors: [Tensor], metadata: [String: String]) {
        let path = url.path
        let bytes = try readFile(url)
        let layout = try parseLayout(bytes, path: path)
        let tensors = bytes.withUnsafeBytes { raw -> [Tensor] in
            layout.entries.map { entry in
                let count = (entry.end - entry.begin) / 4
                let base = layout.dataStart + entry.begin
                let values = [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
                    for i in 0..<count {
                        let bits = raw.loadUnaligned(fromByteOffset: base + 4 * i, as: UInt32.self)
                        buffer[i] = Float(bitPattern: UInt32(littleEndian: bits))
                    }
                    initialized = count
                }
                return (entry.name, entry.shape, values)
            }
        }
        return (tensors, layout.metadata)
    }

    /// The metadata of the file at `url`, after validating the whole file as `read` does.
    public static func readMetadata(from url: URL) throws -> [String: String] {
        try parseLayout(readFile(url), path: url.path).metadata
    }

    // MARK: - Header

    static let metadataKey = "__metadata__"

    /// The header's JSON, in a fixed order, padded with spaces to a multiple of 8 bytes (as the
    /// reference writer does, so that the data section starts 8-byte aligned).
    static func encodeHeader(tensors: [(name: String, shape: [Int], count: Int)], metadata: [String: String]) -> [UInt8] {
        var json = "{"
        var first = true
        if !metadata.isEmpty {
            json += jsonString(metadataKey) + ":{"
            json += metadata.sorted { $0.key < $1.key }
                .map { jsonString($0.key) + ":" + jsonString($0.value) }
                .joined(separator: ",")
            json += "}"
            first = false
        }
        var offset = 0
        for tensor in tensors {
            let end = offset + 4 * tensor.count
            if !first { json += "," }
            first = false
            json += jsonString(tensor.name)
            json += ":{\"dtype\":\"F32\",\"shape\":[\(tensor.shape.map(String.init).joined(separator: ","))]"
            json += ",\"data_offsets\":[\(offset),\(end)]}"
            offset = end
        }
        json += "}"
        var bytes = Array(json.utf8)
        bytes += [UInt8](repeating: UInt8(ascii: " "), count: (8 - bytes.count % 8) % 8)
        return bytes
    }

    /// A JSON string literal: quotes, backslashes and control characters escaped, the rest as UTF-8.
    static func jsonString(_ string: String) -> String {
        var out = "\""
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                out += "\\u" + String(repeating: "0", count: 4 - String(scalar.value, radix: 16).count)
                    + String(scalar.value, radix: 16)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    /// Where each tensor's bytes are, all checked against the file's size.
    struct Layout {
        struct Entry {
            var name: String
            var shape: [Int]
            var begin: Int
            var end: Int
        }
        var metadata: [String: String]
        /// Sorted by offset.
        var entries: [Entry]
        /// The byte index of the data section in the file: 8 + header length.
        var dataStart: Int
    }

    /// Validates the header and the offsets of `bytes`, the whole file, and says where the tensors are.
    static func parseLayout(_ bytes: [UInt8], path: String) throws -> Layout {
        guard bytes.count >= 8 else { throw SafetensorsError.tooShort(path: path, size: bytes.count) }
        let declared = bytes[0..<8].reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        guard declared <= UInt64(maximumHeaderLength) else {
            throw SafetensorsError.headerTooLarge(path: path, headerLength: declared)
        }
        let headerLength = Int(declared)
        guard 8 + headerLength <= bytes.count else {
            throw SafetensorsError.badHeaderLength(path: path, headerLength: headerLength, fileSize: bytes.count)
        }
        let header = try decodeHeader(bytes[8..<(8 + headerLength)], path: path)

        // The data section must be tiled exactly: sorted by offsets, each tensor starts where the
        // previous one ended, and the last one ends at the end of the file.
        var entries: [Layout.Entry] = []
        for (name, info) in header.tensors {
            guard info.dtype == "F32" else {
                throw SafetensorsError.unsupportedDType(path: path, name: name, dtype: info.dtype)
            }
            if let negative = info.shape.first(where: { $0 < 0 }) {
                throw SafetensorsError.badHeaderJSON(path: path, detail: "tensor '\(name)' has a negative dimension \(negative) in its shape \(info.shape)")
            }
            guard info.offsets.count == 2 else {
                throw SafetensorsError.badOffsets(path: path, name: name, detail: "data_offsets must be two numbers [begin, end], found \(info.offsets)")
            }
            let (begin, end) = (info.offsets[0], info.offsets[1])
            guard begin >= 0, end >= begin else {
                throw SafetensorsError.badOffsets(path: path, name: name, detail: "data_offsets [\(begin), \(end)] do not describe a range of bytes")
            }
            var count = 1
            for dimension in info.shape {
                let (product, overflow) = count.multipliedReportingOverflow(by: dimension)
                guard !overflow else {
                    throw SafetensorsError.badOffsets(path: path, name: name, detail: "its shape \(info.shape) has too many elements")
                }
                count = product
            }
            let (byteCount, overflow) = count.multipliedReportingOverflow(by: 4)
            guard !overflow, end - begin == byteCount else {
                throw SafetensorsError.badOffsets(path: path, name: name, detail: "data_offsets [\(begin), \(end)] span \(end - begin) bytes but shape \(info.shape) of F32 needs \(overflow ? "more" : String(byteCount))")
            }
            entries.append(.init(name: name, shape: info.shape, begin: begin, end: end))
        }
        entries.sort { ($0.begin, $0.end, $0.name) < ($1.begin, $1.end, $1.name) }

        let dataStart = 8 + headerLength
        let dataLength = bytes.count - dataStart
        var position = 0
        for entry in entries {
            if entry.begin > position {
                throw SafetensorsError.badOffsets(path: path, name: entry.name, detail: "its data begins at byte \(entry.begin) of the data section, leaving bytes \(position)..<\(entry.begin) unused")
            }
            if entry.begin < position {
                throw SafetensorsError.badOffsets(path: path, name: entry.name, detail: "its data [\(entry.begin), \(entry.end)] overlaps the previous tensor's, which ends at byte \(position)")
            }
            if entry.end > dataLength {
                throw SafetensorsError.badOffsets(path: path, name: entry.name, detail: "its data ends at byte \(entry.end) of the data section, past the end of the file (the data section has \(dataLength) bytes)")
            }
            position = entry.end
        }
        guard position == dataLength else {
            throw SafetensorsError.trailingBytes(path: path, dataEnd: dataStart + position, fileSize: bytes.count)
        }
        return Layout(metadata: header.metadata, entries: entries, dataStart: dataStart)
    }

    struct TensorInfo {
        var dtype: String
        var shape: [Int]
        var offsets: [Int]
    }

    struct Header {
        var metadata: [String: String] = [:]
        var tensors: [(name: String, info: TensorInfo)] = []
    }

    /// Parses the header's JSON and checks the type of every field: `__metadata__` an object of
    /// strings; each tensor an object with a string `dtype` and integer arrays `shape` and `data_offsets`.
    static func decodeHeader(_ bytes: ArraySlice<UInt8>, path: String) throws -> Header {
        func fail(_ detail: String) -> SafetensorsError { .badHeaderJSON(path: path, detail: detail) }
        guard String(bytes: bytes, encoding: .utf8) != nil else { throw fail("the header is not valid UTF-8") }
        guard bytes.first == UInt8(ascii: "{") else { throw fail("the header does not start with '{'") }
        let json: Any
        do {
            json = try JSONSerialization.jsonObject(with: Data(bytes))
        } catch {
            let reason = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String ?? error.localizedDescription
            throw fail("the header is not valid JSON (\(reason))")
        }
        guard let entries = json as? [String: Any] else { throw fail("the header is not a JSON object") }
        if let repeated = firstRepeatedKey(bytes) {
            throw fail("'\(repeated)' appears twice in the header: a name may hold only one tensor")
        }

        var header = Header()
        for (name, entry) in entries.sorted(by: { $0.key < $1.key }) {
            if name == metadataKey {
                guard let metadata = entry as? [String: Any] else { throw fail("__metadata__ should be an object of strings, found \(brief(entry))") }
                for (key, value) in metadata {
                    guard let string = value as? String else {
                        throw fail("__metadata__ key '\(key)' should be a string, found \(brief(value))")
                    }
                    header.metadata[key] = string
                }
                continue
            }
            guard let fields = entry as? [String: Any] else { throw fail("tensor '\(name)' should be an object, found \(brief(entry))") }
            func field(_ key: String) throws -> Any {
                guard let value = fields[key] else { throw fail("tensor '\(name)' has no '\(key)'") }
                return value
            }
            func integers(_ key: String) throws -> [Int] {
                let value = try field(key)
                guard let array = value as? [Any] else {
                    throw fail("tensor '\(name)': '\(key)' should be an array of integers, found \(brief(value))")
                }
                return try array.map { element in
                    guard let integer = integer(element) else {
                        throw fail("tensor '\(name)': '\(key)' should be an array of integers, found \(brief(value))")
                    }
                    return integer
                }
            }
            guard let dtype = try field("dtype") as? String else {
                throw fail("tensor '\(name)': 'dtype' should be a string such as \"F32\", found \(brief(fields["dtype"]!))")
            }
            header.tensors.append((name, TensorInfo(dtype: dtype, shape: try integers("shape"), offsets: try integers("data_offsets"))))
        }
        return header
    }

    /// The first key that appears twice in the top-level object of `bytes`, valid JSON (a JSON
    /// parser keeps one of the two silently, so the header would say two things of one name).
    static func firstRepeatedKey(_ bytes: ArraySlice<UInt8>) -> String? {
        var seen = Set<[UInt8]>()
        var depth = 0, index = bytes.startIndex, expectingKey = false
        while index < bytes.endIndex {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                depth += 1
                expectingKey = byte == UInt8(ascii: "{") && depth == 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                depth -= 1
            case UInt8(ascii: ","):
                expectingKey = depth == 1
            case UInt8(ascii: "\""):
                // A string: find its end, skipping escaped characters.
                let start = index
                index += 1
                while index < bytes.endIndex && bytes[index] != UInt8(ascii: "\"") {
                    index += bytes[index] == UInt8(ascii: "\\") ? 2 : 1
                }
                if expectingKey {
                    let literal = Array(bytes[start...min(index, bytes.endIndex - 1)])
                    if !seen.insert(literal).inserted {
                        let decoded = (try? JSONSerialization.jsonObject(with: Data(literal), options: .fragmentsAllowed)) as? String
                        return decoded ?? String(decoding: literal, as: UTF8.self)
                    }
                    expectingKey = false
                }
            default:
                break
            }
            index += 1
        }
        return nil
    }

    /// A JSON number that is an integer (not a boolean, not written with a fraction or exponent that
    /// makes it a double, not too large for `Int`).
    static func integer(_ value: Any) -> Int? {
        guard let number = value as? NSNumber else { return nil }
        let type = String(cString: number.objCType)
        guard ["i", "s", "l", "q", "I", "S", "L", "Q"].contains(type) else { return nil }
        return value as? Int
    }

    /// A JSON value as an error message shows it: as written, cut to 60 characters.
    static func brief(_ value: Any) -> String {
        let text: String
        if let data = try? JSONSerialization.data(withJSONObject: value, options: [.fragmentsAllowed, .sortedKeys]) {
            text = String(decoding: data, as: UTF8.self)
        } else {
            text = "\(value)"
        }
        return text.count <= 60 ? text : String(text.prefix(57)) + "..."
    }

    // MARK: - Files

    static func readFile(_ url: URL) throws -> [UInt8] {
        let path = url.path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw SafetensorsError.notFound(path: path)
        }
        guard !isDirectory.boolValue else {
            throw SafetensorsError.unreadable(path: path, reason: "it is a folder")
        }
        // A device or a pipe could be endless or block for ever.
        var info = stat()
        guard stat(path, &info) == 0, info.st_mode & S_IFMT == S_IFREG else {
            throw SafetensorsError.unreadable(path: path, reason: "it is not a regular file (a device, a pipe or a socket)")
        }
        // Reading holds the file and its values at once: refuse what cannot fit twice in memory.
        let memory = Double(ProcessInfo.processInfo.physicalMemory)
        guard 2 * Double(info.st_size) <= memory else {
            throw SafetensorsError.unreadable(path: path, reason: "it has \(info.st_size) bytes, and reading it takes twice that, more than this machine's \(UInt64(memory)) bytes of memory")
        }
        do {
            return [UInt8](try Data(contentsOf: url))
        } catch {
            throw SafetensorsError.unreadable(path: path, reason: error.localizedDescription)
        }
    }
}

/// A safetensors file that cannot be read or written, with what was wrong and where.
public enum SafetensorsError: Error, CustomStringConvertible, Equatable {
    case notFound(path: String)
    case unreadable(path: String, reason: String)
    case writeFailed(path: String, reason: String)
    /// Shorter than the 8-byte header length.
    case tooShort(path: String, size: Int)
    /// The header length is over `Safetensors.maximumHeaderLength`.
    case headerTooLarge(path: String, headerLength: UInt64)
    /// The header length runs past the end of the file.
    case badHeaderLength(path: String, headerLength: Int, fileSize: Int)
    case badHeaderJSON(path: String, detail: String)
    case unsupportedDType(path: String, name: String, dtype: String)
    /// The offsets of one tensor are inconsistent with its shape, the other tensors or the file size.
    case badOffsets(path: String, name: String, detail: String)
    /// The tensors end before the end of the file.
    case trailingBytes(path: String, dataEnd: Int, fileSize: Int)

    public var description: String {
        let notSafetensors = "is it a safetensors file, and was it written completely?"
        switch self {
        case .notFound(let path):
            return "\(path): no such file: check the path (checkpoints are .safetensors files)"
        case .unreadable(let path, let reason):
            return "\(path): cannot be read: \(reason)"
        case .writeFailed(let path, let reason):
            return "\(path): cannot be written: \(reason)"
        case .tooShort(let path, let size):
            return "\(path): \(size) bytes is too short for a safetensors file (at least 8 bytes): \(notSafetensors)"
        case .headerTooLarge(let path, let length):
            return "\(path): declares a \(length)-byte header, over the \(Safetensors.maximumHeaderLength)-byte limit of the format: \(notSafetensors)"
        case .badHeaderLength(let path, let length, let size):
            return "\(path): declares a \(length)-byte header but the file has only \(size) bytes: \(notSafetensors)"
        case .badHeaderJSON(let path, let detail):
            return "\(path): the safetensors header is not valid: \(detail)"
        case .unsupportedDType(let path, let name, let dtype):
            return "\(path): tensor '\(name)' has dtype \(dtype), but ablate reads only F32 (float32) tensors: convert it to float32 and save it again"
        case .badOffsets(let path, let name, let detail):
            return "\(path): tensor '\(name)': \(detail): the file is damaged or was not written completely"
        case .trailingBytes(let path, let dataEnd, let size):
            return "\(path): the tensors end at byte \(dataEnd) but the file has \(size) bytes: the file is damaged"
        }
    }
}
