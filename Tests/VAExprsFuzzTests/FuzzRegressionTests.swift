import Foundation
import Testing
import VAExprsFuzzTargets
import VAExprsTestSupport

/// Every fuzz target on its committed seeds and on every input that once crashed it
/// (`Fuzz/Regressions/<target>/`): each must return (errors are fine), never trap. The same
/// functions scripts/fuzz.sh runs under libFuzzer.
@Suite struct FuzzRegressionTests {
    static let root = TestPaths.packageRoot + "/Fuzz"

    /// The files under `Fuzz/<kind>/<target>/`.
    static func inputs(_ kind: String, _ target: String) -> [String] {
        let folder = "\(root)/\(kind)/\(target)"
        return ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).sorted().map { folder + "/" + $0 }
    }

    @Test(arguments: FuzzTargets.all.map(\.name))
    func seedsAndPastCrashesRunCleanly(target name: String) throws {
        let target = try #require(FuzzTargets.named(name))
        let files = Self.inputs("Seeds", name) + Self.inputs("Regressions", name)
        #expect(!Self.inputs("Seeds", name).isEmpty, "Fuzz/Seeds/\(name) has no seed")
        for file in files {
            target.run(Array(try Data(contentsOf: URL(fileURLWithPath: file))))
        }
    }

    /// Every target on short pseudo-random inputs (a fixed sequence), including the empty one.
    @Test func arbitraryBytesNeverTrapAnyTarget() {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        for target in FuzzTargets.all {
            for length in [0, 1, 2, 7, 33, 200] {
                let bytes = (0..<length).map { _ -> UInt8 in
                    state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                    return UInt8(truncatingIfNeeded: state >> 56)
                }
                target.run(bytes)
            }
        }
    }
}
