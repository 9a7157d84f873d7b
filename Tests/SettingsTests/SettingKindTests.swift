import Settings
import XCTest

final class SettingKindTests: XCTestCase {
    func testIntegerRangeEdges() throws {
        let kind = SettingKind.integer(1...16)
        XCTAssertEqual(try kind.check(.integer(1), found: "1"), .integer(1))
        XCTAssertEqual(try kind.check(.integer(16), found: "16"), .integer(16))
        XCTAssertThrowsError(try kind.check(.integer(0), found: "0")) { error in
            XCTAssertEqual("\(error)", "expected an integer in 1...16, got 0")
        }
        XCTAssertThrowsError(try kind.check(.integer(17), found: "17"))
        XCTAssertThrowsError(try kind.check(.number(2), found: "2.0"), "a fraction is not an integer")
        XCTAssertThrowsError(try kind.check(.off, found: "false"), "an integer that cannot be switched off")
        XCTAssertEqual(try kind.check(.integer(17), found: "17", ranges: false), .integer(17), "decoding checks the type only")
    }

    func testNumberRangesOpenAndClosed() throws {
        let fraction = SettingKind.number(.fraction)
        XCTAssertEqual(try fraction.check(.number(0), found: "0"), .number(0))
        XCTAssertEqual(try fraction.check(.integer(0), found: "0"), .number(0), "an integer is taken as a number")
        XCTAssertThrowsError(try fraction.check(.number(1), found: "1.0")) { error in
            XCTAssertEqual("\(error)", "expected a number in [0, 1), got 1.0")
        }
        XCTAssertThrowsError(try fraction.check(.number(-0.001), found: "-0.001"))
        XCTAssertThrowsError(try fraction.check(.number(.nan), found: "nan"), "NaN is in no range")
        let positive = SettingKind.number(.positive)
        XCTAssertThrowsError(try positive.check(.number(0), found: "0")) { error in
            XCTAssertEqual("\(error)", "expected a number > 0, got 0")
        }
        XCTAssertThrowsError(try positive.check(.number(.infinity), found: "inf"))
        XCTAssertEqual(SettingKind.number(.nonNegative).expected, "a number >= 0")
        XCTAssertEqual(SettingKind.number(NumberRange(lower: 0, lowerOpen: true, upper: 10)).expected, "a number in (0, 10]")
    }

    func testOffIsFalseOnlyWhereASettingCanBeSwitchedOff() throws {
        let clip = SettingKind.numberOrOff(.positive)
        XCTAssertEqual(try clip.check(.bool(false), found: "false"), .off)
        XCTAssertEqual(try clip.check(.number(0.5), found: "0.5"), .number(0.5))
        XCTAssertThrowsError(try clip.check(.bool(true), found: "true")) { error in
            XCTAssertEqual("\(error)", "expected a number > 0, or false for none, got true")
        }
        let every = SettingKind.integerOrOff(1...100)
        XCTAssertEqual(try every.check(.bool(false), found: "false"), .off)
        XCTAssertEqual(every.expected, "an integer in 1...100, or false for none")
        XCTAssertThrowsError(try SettingKind.boolean.check(.off, found: "false"), "a boolean's false is .bool(false), not off")
    }

    func testAChoiceNamesItsValuesAndKeepsTheStringWritten() throws {
        let norm = SettingKind.choice(["post", "pre", "none"])
        XCTAssertEqual(norm.expected, #"one of "post", "pre", "none""#)
        XCTAssertEqual(try norm.check(.text("pre"), found: "\"pre\""), .text("pre"))
        XCTAssertThrowsError(try norm.check(.text("Pre"), found: "\"Pre\"")) { error in
            let mismatch = error as? SettingMismatch
            XCTAssertEqual(mismatch?.choices, ["post", "pre", "none"])
            XCTAssertEqual(mismatch?.written, "Pre", "the caller can suggest the closest value")
            XCTAssertEqual(mismatch?.message, #"expected one of "post", "pre", "none", got "Pre""#)
        }
        XCTAssertThrowsError(try norm.check(.integer(1), found: "1")) { error in
            XCTAssertNil((error as? SettingMismatch)?.choices, "not a string: nothing to suggest")
        }
    }

    func testValuesAreWrittenInTheFilesSyntax() {
        XCTAssertEqual(SettingValue.integer(64).written, "64")
        XCTAssertEqual(SettingValue.number(0.001).written, "0.001")
        XCTAssertEqual(SettingValue.number(2).written, "2")
        XCTAssertEqual(SettingValue.off.written, "false")
        XCTAssertEqual(SettingValue.text("post").written, #""post""#)
        XCTAssertEqual(SettingValue.text(#"a"b\c"#).written, #""a\"b\\c""#, "a quote or a backslash is not escaped")
    }

    func testBooleansTakeOnlyBooleans() throws {
        XCTAssertEqual(try SettingKind.boolean.check(.bool(true), found: "true"), .bool(true))
        XCTAssertThrowsError(try SettingKind.boolean.check(.integer(1), found: "1")) { error in
            XCTAssertEqual("\(error)", "expected true or false, got 1")
        }
        XCTAssertThrowsError(try SettingKind.boolean.check(nil, found: "[1, 2]"), "an array is no setting's value")
    }
}
