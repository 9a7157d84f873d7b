import Foundation

/// Damaged and hostile variants of a valid safetensors checkpoint, drawn from a seed: what a fuzz
/// test feeds a reader that must end every case with a clean error (or a model, when the damage
/// leaves a valid file). The same seed gives the same cases.
public struct CheckpointMutations {
    /// SplitMix64: small, seeded, the same on every machine.
    public struct Generator: RandomNumberGenerator {
        var state: UInt64
        public init(seed: UInt64) { state = seed }
        public mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    /// One damaged file and what was done to it (for the failure message).
    public struct Case {
        public var what: String
        public var bytes: [UInt8]
    }

    let original: [UInt8]
    let header: [String: Any]
    let data: [UInt8]
    public var generator: Generator

    /// `original` must be a valid safetensors file whose metadata holds a JSON "config".
    public init(original: [UInt8], seed: UInt64) {
        self.original = original
        let length = Int(original[0..<8].reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) })
        header = (try? JSONSerialization.jsonObject(with: Data(original[8..<(8 + length)]))) as? [String: Any] ?? [:]
        data = Array(original[(8 + length)...])
        generator = Generator(seed: seed)
    }

    /// The kinds of damage, in the order `next` cycles through them.
    public static let kinds = ["truncated", "header length", "header bytes", "dtype", "shape", "offsets", "duplicate name",
                               "missing tensor", "extra tensor", "config value", "config text", "metadata", "byte flips"]

    /// The next case: the kinds in turn, each drawn at random.
    public mutating func next(_ index: Int) -> Case {
        let kind = Self.kinds[index % Self.kinds.count]
        switch kind {
        case "truncated":
            let cut = Int.random(in: 0..<original.count, using: &generator)
            return Case(what: "truncated to \(cut) bytes", bytes: Array(original.prefix(cut)))
        case "header length":
            let lengths: [UInt64] = [0, 1, 7, UInt64(original.count), UInt64(original.count - 8 + 1), 100_000_001,
                                     UInt64.max, UInt64(Int.max), UInt64(Int.random(in: 0...1_000_000, using: &generator))]
            let length = lengths.randomElement(using: &generator)!
            return Case(what: "header length \(length)", bytes: Self.littleEndian(length) + original.dropFirst(8))
        case "header bytes":
            let text = Self.encode(header)
            let choices: [(String, [UInt8])] = [
                ("header cut in the middle", Array(text.prefix(Int.random(in: 0..<max(text.count, 1), using: &generator)))),
                ("header not UTF-8", [0xFF, 0xFE] + text.dropFirst(2)),
                ("header a JSON array", Array("[1, 2, 3]".utf8)),
                ("header nested 10000 deep", Array((String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)).utf8)),
                ("header a string", Array("\"just a string\"".utf8)),
                ("header with a NUL", Array(text.prefix(20)) + [0] + Array(text.dropFirst(21))),
            ]
            let (what, bytes) = choices.randomElement(using: &generator)!
            return Case(what: what, bytes: Self.file(headerBytes: bytes, data: data))
        case "dtype":
            let dtype: Any = ["F16", "BF16", "F64", "I64", "U8", "BOOL", "", "f32", 7, NSNull()].randomElement(using: &generator)!
            return edited("dtype \(dtype)") { $0["dtype"] = dtype }
        case "shape":
            let shapes: [Any] = [[1 << 40, 1 << 40], [Int.max, 2], [-1, 4], [0], [3.5], ["a"], 12, [Int.max], [1 << 31, 1 << 31, 1 << 31]]
            let shape = shapes.randomElement(using: &generator)!
            return edited("shape \(shape)") { $0["shape"] = shape }
        case "offsets":
            let size = data.count
            let offsets: [Any] = [[0, Int.max], [Int.max - 3, Int.max], [size, size + 4], [-4, 0], [8, 0], [0, 4, 8],
                                  [0], [1 << 62, (1 << 62) + 4], [0, size], ["0", "4"], [0.5, 4.5]]
            let value = offsets.randomElement(using: &generator)!
            return edited("data_offsets \(value)") { $0["data_offsets"] = value }
        case "duplicate name":
            // JSON objects may repeat a key: a reader must not trust either copy blindly.
            let names = tensorNames
            guard let name = names.randomElement(using: &generator), let entry = header[name] else { return next(index + 1) }
            let text = String(decoding: Self.encode(header), as: UTF8.self)
            let extra = "\"\(name)\":" + String(decoding: Self.encode(entry), as: UTF8.self)
            let doubled = "{" + extra + "," + text.dropFirst()
            return Case(what: "duplicate tensor \(name)", bytes: Self.file(headerBytes: Array(doubled.utf8), data: data))
        case "missing tensor":
            guard let name = tensorNames.randomElement(using: &generator) else { return next(index + 1) }
            var changed = header
            changed[name] = nil
            return Case(what: "without tensor \(name)", bytes: Self.file(headerBytes: Self.encode(changed), data: data))
        case "extra tensor":
            var changed = header
            changed["extra.weight"] = ["dtype": "F32", "shape": [1], "data_offsets": [data.count, data.count + 4]]
            return Case(what: "an extra tensor", bytes: Self.file(headerBytes: Self.encode(changed), data: data + [0, 0, 128, 63]))
        case "config value":
            let keys = ["d_model", "heads", "vocabulary", "classes", "encoder_layers", "decoder_layers", "layers", "d_ff",
                        "max_length", "layout", "positional", "norm", "activation", "attention_scale", "dropout", "arch",
                        "hidden", "embedding", "cell", "attention", "attention_size", "causal_mask", "bias"]
            let values: [Any] = [-1, 0, 1, 3, 1 << 40, Int.max, 1e300, -0.5, 2.5, "x", "sideways", true, NSNull(), [1], ["a": 1], 65_537, 16_385]
            let key = keys.randomElement(using: &generator)!
            let value = values.randomElement(using: &generator)!
            return withConfig("config \(key) = \(value)") { $0[key] = value }
        case "config text":
            let texts = ["", "{", "null", "[]", "42", "{\"arch\":", String(repeating: "{\"a\":", count: 5_000), "\u{0}"]
            let text = texts.randomElement(using: &generator)!
            return withMetadata("config text \(text.prefix(20).debugDescription)") { $0["config"] = text }
        case "metadata":
            let choices: [(String, Any?)] = [("no config", nil), ("config a number", 12), ("config an object", ["d_model": 8]),
                                              ("config null", NSNull())]
            let (what, value) = choices.randomElement(using: &generator)!
            if what == "no config" { return withMetadata(what) { $0["config"] = nil } }
            return withMetadata(what) { $0["config"] = value }
        default:
            var bytes = original
            let flips = Int.random(in: 1...16, using: &generator)
            for _ in 0..<flips {
                let position = Int.random(in: 0..<bytes.count, using: &generator)
                bytes[position] ^= UInt8.random(in: 1...255, using: &generator)
            }
            return Case(what: "\(flips) random byte flips", bytes: bytes)
        }
    }

    var tensorNames: [String] { header.keys.filter { $0 != "__metadata__" }.sorted() }

    /// The file with one tensor's entry changed by `change` (offsets left as they were).
    mutating func edited(_ what: String, _ change: (inout [String: Any]) -> Void) -> Case {
        guard let name = tensorNames.randomElement(using: &generator), var entry = header[name] as? [String: Any] else {
            return Case(what: what, bytes: original)
        }
        change(&entry)
        var changed = header
        changed[name] = entry
        return Case(what: "\(name): \(what)", bytes: Self.file(headerBytes: Self.encode(changed), data: data))
    }

    /// The file with the metadata map changed by `change`.
    func withMetadata(_ what: String, _ change: (inout [String: Any]) -> Void) -> Case {
        var metadata = header["__metadata__"] as? [String: Any] ?? [:]
        change(&metadata)
        var changed = header
        changed["__metadata__"] = metadata
        return Case(what: what, bytes: Self.file(headerBytes: Self.encode(changed), data: data))
    }

    /// The file with the model config (the JSON in metadata "config") changed by `change`.
    func withConfig(_ what: String, _ change: (inout [String: Any]) -> Void) -> Case {
        let metadata = header["__metadata__"] as? [String: Any] ?? [:]
        var config = (metadata["config"] as? String).flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) } as? [String: Any] ?? [:]
        change(&config)
        let text = String(decoding: Self.encode(config), as: UTF8.self)
        return withMetadata(what) { $0["config"] = text }
    }

    static func encode(_ value: Any) -> [UInt8] {
        Array((try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .fragmentsAllowed])) ?? Data("{}".utf8))
    }

    static func littleEndian(_ value: UInt64) -> [UInt8] { (0..<8).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) } }

    /// A file of `headerBytes` (padded with spaces to 8 bytes) and `data`, its length field right.
    static func file(headerBytes: [UInt8], data: [UInt8]) -> [UInt8] {
        let padded = headerBytes + [UInt8](repeating: UInt8(ascii: " "), count: (8 - headerBytes.count % 8) % 8)
        return littleEndian(UInt64(padded.count)) + padded + data
    }
}
