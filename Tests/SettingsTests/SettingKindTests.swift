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
    }
}
