import Foundation

/// Locations the tests use: the package root, the shared datasets beside it, scratch folders.
public enum TestPaths {
    /// The package root (three levels above this file).
    public static let packageRoot: String = {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().path
    }()

    /// `../shared/data` beside the package (present in CI and on developer machines).
    public static let sharedData: String = {
        URL(fileURLWithPath: packageRoot).deletingLastPathComponent().appendingPathComponent("shared/data").path
    }()

    /// A dataset file, e.g. `dataset("seedsim", "counts.csv.gz")`.
    public static func dataset(_ name: String, _ file: String) -> String { sharedData + "/" + name + "/" + file }

    /// True when the shared datasets are present.
    public static var hasSharedData: Bool {
        FileManager.default.fileExists(atPath: dataset("seedsim", "counts.csv.gz"))
    }

    /// One build folder for every Swift plugin package the tests build (scaffolds, the README's
    /// plugin), so VAExprsPluginKit and the core under it compile once; kept between runs.
    public static var swiftPluginBuild: String { packageRoot + "/.build/test-swift-plugins" }

    /// A new empty scratch folder.
    public static func scratch(_ label: String = "t") -> String {
        let path = NSTemporaryDirectory() + "vaexprs-tests-\(label)-\(UUID().uuidString.prefix(8))"
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// Writes text to a file in `folder` and returns its path.
    @discardableResult
    public static func write(_ text: String, _ name: String, in folder: String) -> String {
        let path = folder + "/" + name
        try! text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }
}
