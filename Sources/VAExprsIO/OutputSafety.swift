import Foundation
import VAExprsCore

/// Refuses, before any work, a command whose output would overwrite one of its inputs or
/// whose two outputs would land on one file (one would silently replace the other).
package enum OutputSafety {
    /// A file named by an option, e.g. ("--output", "m.vaexprs"); nil for an option not given.
    package typealias NamedPath = (option: String, path: String?)

    /// Throws a usage error naming both options when an output is the same file as an input
    /// (same device and inode, so links and `./` spellings count) or two outputs are the same path.
    package static func refuseOverlaps(inputs given: [NamedPath], outputs wanted: [NamedPath]) throws {
        let inputs = given.compactMap { named in named.path.map { (option: named.option, path: $0) } }
        let outputs = wanted.compactMap { named in named.path.map { (option: named.option, path: $0) } }
        for output in outputs {
            for input in inputs where sameFile(output.path, input.path) {
                throw VAExprsError.usage(
                    """
                    \(output.option) \(output.path) is also the input \(input.option) \(input.path); writing it \
                    would destroy the input, so nothing was done: choose another output path
                    """
                )
            }
            // An output that is a folder: nothing read or written elsewhere may lie inside it.
            guard isFolder(output.path) else { continue }
            for other in inputs + outputs
            where other.option != output.option && FolderOutput.contains(output.path, other.path) {
                throw VAExprsError.usage(
                    """
                    \(other.option) \(other.path) lies inside the output folder \(output.option) \(output.path); \
                    writing the folder could replace it, so nothing was done: choose an output folder that holds \
                    none of the command's files
                    """
                )
            }
        }
        for (i, a) in outputs.enumerated() {
            for b in outputs[(i + 1)...] where sameFile(a.path, b.path) {
                throw VAExprsError.usage(
                    """
                    \(a.option) and \(b.option) both name \(a.path); one would replace the other, so nothing was \
                    done: give them different paths
                    """
                )
            }
        }
    }

    private static func isFolder(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFDIR
    }

    /// Whether two paths name one file: by device and inode when both exist, else by their
    /// absolute paths with symbolic links in the existing folders resolved.
    static func sameFile(_ a: String, _ b: String) -> Bool {
        var sa = stat(), sb = stat()
        if stat(a, &sa) == 0 && stat(b, &sb) == 0 { return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino }
        return canonical(a) == canonical(b)
    }

    private static func canonical(_ path: String) -> String {
        let url = URL(fileURLWithPath: path).standardizedFileURL
        let folder = url.deletingLastPathComponent().resolvingSymlinksInPath()
        return folder.appendingPathComponent(url.lastPathComponent).path
    }
}
