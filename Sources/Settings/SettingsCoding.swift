// JSON coding through the tables: the JSON keys are the settings' keys, so a stored config reads
// like the experiment file that produced it.

/// A coding key that is any string: a setting's key.
public struct SettingKey: CodingKey, Hashable {
    public var stringValue: String
    public var intValue: Int? { nil }
    public init(_ key: String) { stringValue = key }
    public init?(stringValue: String) { self.stringValue = stringValue }
    public init?(intValue: Int) { nil }
}

extension SettingsTable {
    /// Encodes every stored setting under its key (an off optional as `false`, or left out when its
    /// setting is not stored off).
    public func encodeSettings(to container: inout KeyedEncodingContainer<SettingKey>) throws {
        for setting in Self.settings {
            guard let value = setting.get(self) else { continue }
            let key = SettingKey(setting.key)
            switch value {
            case .integer(let v): try container.encode(v, forKey: key)
            case .number(let v): if setting.isFloat32 { try container.encode(Float(v), forKey: key) } else { try container.encode(v, forKey: key) }
            case .bool(let v): try container.encode(v, forKey: key)
            case .text(let v): try container.encode(v, forKey: key)
            case .off: try container.encode(false, forKey: key)
            }
        }
    }

    /// Decodes the settings a container holds (the others keep their defaults). A key that is no
    /// setting's (other than those in `allowing`), or a value of the wrong type or not among its
    /// choices, throws a `SettingError` for `prefix.KEY` naming the value found and what the key
    /// takes. Ranges are not checked here: call `checkRanges` (or the type's `validate`).
    public init(decodingSettings container: KeyedDecodingContainer<SettingKey>, prefix: String, allowing: Set<String> = []) throws {
        self.init()
        let keys = Self.storedKeys
        for key in container.allKeys.sorted(by: { $0.stringValue < $1.stringValue }) where !allowing.contains(key.stringValue) {
            guard let setting = Self.settings.first(where: { $0.key == key.stringValue }), keys.contains(key.stringValue) else {
                let known = (Array(allowing) + keys).sorted().joined(separator: ", ")
                throw SettingError(key: "\(prefix).\(key.stringValue)", "unknown key; a stored \(prefix) config takes \(known)")
            }
            let value: SettingValue?
            switch setting.kind {
            case .integer, .integerOrOff:
                if let v = try? container.decode(Int.self, forKey: key) { value = .integer(v) }
                else if let v = try? container.decode(Bool.self, forKey: key) { value = .bool(v) }
                else { value = nil }
            case .number, .numberOrOff:
                if let v = try? container.decode(Bool.self, forKey: key) { value = .bool(v) }
                else if let v = try? container.decode(Double.self, forKey: key) { value = .number(v) }
                else { value = nil }
            case .boolean:
                value = (try? container.decode(Bool.self, forKey: key)).map(SettingValue.bool)
            case .choice:
                value = (try? container.decode(String.self, forKey: key)).map(SettingValue.text)
            }
            // The type and the choices are checked here; the range by `checkRanges`, once.
            let typed: SettingValue
            do {
                typed = try setting.kind.check(value, found: JSONValueText.describe(container, key), ranges: false)
            } catch let mismatch as SettingMismatch {
                throw SettingError(key: "\(prefix).\(key.stringValue)", mismatch.message)
            }
            setting.set(&self, typed)
        }
    }
}

/// How a decoding error message shows a JSON value: 3, 1e+300, "big", true, null, an array.
public enum JSONValueText {
    public static func describe(_ container: KeyedDecodingContainer<SettingKey>, _ key: SettingKey) -> String {
        if (try? container.decodeNil(forKey: key)) == true { return "null" }
        if let v = try? container.decode(Bool.self, forKey: key) { return String(v) }
        if let v = try? container.decode(Int.self, forKey: key) { return String(v) }
        if let v = try? container.decode(Double.self, forKey: key) { return String(v) }
        if let v = try? container.decode(String.self, forKey: key) {
            let shown = v.count <= 58 ? v : String(v.prefix(55)) + "..."
            return "\"\(shown)\""
        }
        if (try? container.nestedUnkeyedContainer(forKey: key)) != nil { return "an array" }
        return "an object"
    }
}

/// A settings table whose JSON form is its settings: `{"KEY": value, ...}`.
public protocol SettingsCodable: SettingsTable, Codable {
    /// The table the settings belong to, for messages: "model", "train".
    static var settingsPrefix: String { get }
    /// Keys of the JSON object that are no setting of the type and decoding leaves alone ("arch").
    static var otherKeys: Set<String> { get }
}

extension SettingsCodable {
    public static var otherKeys: Set<String> { [] }

    /// A key no setting has, or a value of the wrong type, throws a `SettingError` for `PREFIX.KEY`.
    public init(from decoder: Decoder) throws {
        try self.init(decodingSettings: decoder.container(keyedBy: SettingKey.self), prefix: Self.settingsPrefix, allowing: Self.otherKeys)
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: SettingKey.self)
        try encodeSettings(to: &container)
    }
}
