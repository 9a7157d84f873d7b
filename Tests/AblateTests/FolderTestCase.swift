import Foundation
import XCTest

/// A test case with a fresh temporary folder per test (`directory`), removed afterwards.
class FolderTestCase: XCTestCase {
    /// Names the folders of a test class (`ablate-LABEL-UUID`).
    class var folderLabel: String { "test" }

    var directory: URL!

    override func setUpWithError() throws {
        directory = try RunCommandTests.Experiment.temporaryDirectory(Self.folderLabel)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }
}
