/// This build's version and the file formats and interfaces it speaks.
public enum VAExprsVersion {
    /// The release (semantic versioning; raised with every release).
    public static let release = "0.13.0"

    /// One line: the release, the model-file format it writes (and the newest it reads) and
    /// the plugin ABI versions it loads.
    public static var description: String {
        let abi = PluginLoader.abiVersions
        return
            """
            vaexprs \(release) (model file format \(ModelFile.formatVersion); plugin ABI \
            \(abi.lowerBound)–\(abi.upperBound))
            """
    }
}
