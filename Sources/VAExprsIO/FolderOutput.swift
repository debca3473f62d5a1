import Foundation
import VAExprsCore

/// The one rule for outputs that are folders (a 10x Matrix Market folder): no command ever
/// deletes or replaces a file or folder the user did not name as an output. A folder output is
/// new, or empty, or holds only the files its writer writes (an earlier output, replaced file by
/// file); anything else is refused with a message naming what it holds. It may not be the
/// working folder or one of its ancestors.
package enum FolderOutput {
    /// The files a 10x Matrix Market folder output consists of.
    package static let tenXFiles: Set<String> = ["matrix.mtx.gz", "features.tsv.gz", "barcodes.tsv.gz"]

    /// How a folder output will be written.
    enum Plan {
        /// Nothing is there: assembled in a temporary folder beside it and renamed into place.
        case newFolder
        /// A folder that is empty or holds only `files`' names: its files are written as
        /// temporaries inside it and each renamed over its namesake.
        case intoExisting
    }

    /// Checks that `path` may be written as a folder holding `files`, and says how.
    /// - Throws: `VAExprsError.cannotWrite` naming the path and what it holds.
    @discardableResult
    static func check(_ path: String, writes files: Set<String>) throws -> Plan {
        let path = path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path
        let parent = URL(fileURLWithPath: path).deletingLastPathComponent().path
        var info = stat()
        guard stat(path, &info) == 0 else {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: parent, isDirectory: &isDirectory), isDirectory.boolValue
            else {
                throw VAExprsError(.cannotWrite, "\(path): folder \(parent) does not exist; create it first")
            }
            guard access(parent, W_OK) == 0 else {
                throw VAExprsError(
                    .cannotWrite, "\(path): folder \(parent) is not writable; choose another output path")
            }
            try AtomicOutput.checkNameLength(path)
            return .newFolder
        }
        let link = isSymbolicLink(path) ? " (a symbolic link to \(resolved(path)))" : ""
        guard info.st_mode & S_IFMT == S_IFDIR else {
            let kind =
                switch info.st_mode & S_IFMT {
                case S_IFREG: "a file"
                case S_IFIFO: "a FIFO"
                case S_IFSOCK: "a socket"
                default: "a device"
                }
            throw VAExprsError(
                .cannotWrite,
                """
                \(path)\(link) is \(kind), not a folder; this output is a folder (10x matrix.mtx.gz, \
                features.tsv.gz, barcodes.tsv.gz), and nothing replaces what it does not write: choose another \
                path
                """
            )
        }
        let here = resolved(FileManager.default.currentDirectoryPath)
        let target = resolved(path)
        if here == target || here.hasPrefix(target == "/" ? "/" : target + "/") {
            throw VAExprsError(
                .cannotWrite,
                """
                \(path)\(link) is the working folder or one of its ancestors; a folder output must be a folder of \
                its own: give a new folder's path, e.g. \(path == "." ? "" : path + "/")generated
                """
            )
        }
        let entries: [String]
        do { entries = try FileManager.default.contentsOfDirectory(atPath: path) } catch {
            throw VAExprsError(
                .cannotWrite,
                """
                \(path)\(link): the folder cannot be read, so it cannot be checked to hold only this output's \
                files; choose another path
                """
            )
        }
        let foreign = entries.filter { !files.contains($0) }.sorted()
        guard foreign.isEmpty else {
            let shown =
                foreign.prefix(5).map { "'\($0)'" }.joined(separator: ", ")
                + (foreign.count > 5 ? " and \(foreign.count - 5) more" : "")
            throw VAExprsError(
                .cannotWrite,
                """
                \(path)\(link) already holds \(shown), which this output does not write; a folder output is \
                written only into a new or empty folder, or over an earlier output of the same kind \
                (\(files.sorted().joined(separator: ", "))): nothing was changed, choose a new folder path
                """
            )
        }
        guard access(path, W_OK) == 0 else {
            throw VAExprsError(.cannotWrite, "\(path)\(link): the folder is not writable; choose another output path")
        }
        return .intoExisting
    }

    /// Whether `path` lies inside the folder `folder` (after links are resolved), or is it.
    package static func contains(_ folder: String, _ path: String) -> Bool {
        let outer = resolved(folder), inner = resolvedAllowingMissing(path)
        return inner == outer || inner.hasPrefix(outer == "/" ? "/" : outer + "/")
    }

    private static func isSymbolicLink(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFLNK
    }

    /// The absolute path with every symbolic link resolved (the path itself when that fails).
    static func resolved(_ path: String) -> String {
        guard let real = realpath(path, nil) else { return URL(fileURLWithPath: path).standardizedFileURL.path }
        defer { free(real) }
        return String(cString: real)
    }

    /// `resolved` for a path that may not exist yet: its nearest existing ancestor resolved.
    static func resolvedAllowingMissing(_ path: String) -> String {
        var url = URL(fileURLWithPath: path).standardizedFileURL
        var tail: [String] = []
        while !FileManager.default.fileExists(atPath: url.path) && url.path != "/" {
            tail.insert(url.lastPathComponent, at: 0)
            url.deleteLastPathComponent()
        }
        return ([resolved(url.path)] + tail).joined(separator: "/").replacingOccurrences(of: "//", with: "/")
    }
}
