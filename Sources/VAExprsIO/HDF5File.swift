import CHDF5
import Foundation
import VAExprsCore

/// A read-only HDF5 file with the few typed reads an `.h5ad` needs; every failure becomes a
/// `VAExprsError` naming the file and the object.
final class HDF5File {
    let path: String
    private let id: hid_t

    init(_ path: String) throws {
        self.path = path
        vaexprs_h5_quiet()
        guard FileManager.default.fileExists(atPath: path) else {
            throw VAExprsError(.missingInput, "\(path): no such file; check the path")
        }
        guard H5Fis_hdf5(path) > 0 else {
            throw VAExprsError.badData(
                "\(path): not an HDF5 file, so not an .h5ad; give an .h5ad written by anndata, a 10x folder or a CSV")
        }
        guard access(path, R_OK) == 0 else {
            throw VAExprsError(
                .missingInput, "\(path): cannot be read (permission denied); check the file's permissions")
        }
        let file = H5Fopen(path, vaexprs_h5f_acc_rdonly(), vaexprs_h5p_default())
        guard file >= 0 else {
            throw VAExprsError.badData(
                """
                \(path): HDF5 cannot open it: the file is truncated or damaged (an interrupted copy or \
                download?); copy or write it again
                """
            )
        }
        id = file
    }

    deinit { H5Fclose(id) }

    /// Memory types for `slice`.
    static var floatType: hid_t { vaexprs_h5t_native_float() }
    static var int32Type: hid_t { vaexprs_h5t_native_int32() }

    func bad(_ object: String, _ what: String) -> VAExprsError {
        VAExprsError.badData("\(path): \(object): \(what)")
    }

    /// True when `object` (e.g. `/obs/label`) exists; every parent must exist too.
    func exists(_ object: String) -> Bool {
        var prefix = ""
        for part in object.split(separator: "/") {
            prefix += "/" + part
            if H5Lexists(id, prefix, vaexprs_h5p_default()) <= 0 { return false }
        }
        return true
    }

    /// True when `object` is a group (false for a dataset).
    func isGroup(_ object: String) -> Bool {
        let group = H5Gopen2(id, object, vaexprs_h5p_default())
        if group >= 0 {
            H5Gclose(group)
            return true
        }
        return false
    }

    /// The names of the members of `group` (empty when it is missing or not a group), at most
    /// `limit` of them.
    func members(_ group: String, limit: Int = 1000) -> [String] {
        let handle = H5Gopen2(id, group, vaexprs_h5p_default())
        guard handle >= 0 else { return [] }
        defer { H5Gclose(handle) }
        var info = H5G_info_t()
        guard H5Gget_info(handle, &info) >= 0 else { return [] }
        return (0..<min(Int(info.nlinks), limit)).compactMap { k in
            let size = H5Lget_name_by_idx(
                handle, ".", H5_INDEX_NAME, H5_ITER_INC, hsize_t(k), nil, 0, vaexprs_h5p_default())
            guard size > 0, size < 4096 else { return nil }
            var name = [CChar](repeating: 0, count: Int(size) + 1)
            guard
                H5Lget_name_by_idx(
                    handle, ".", H5_INDEX_NAME, H5_ITER_INC, hsize_t(k), &name, Int(size) + 1,
                    vaexprs_h5p_default()) >= 0
            else { return nil }
            return String(decoding: name.prefix(Int(size)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
    }

    private func withObject<R>(_ object: String, _ body: (hid_t) throws -> R) throws -> R {
        let handle = H5Oopen(id, object, vaexprs_h5p_default())
        guard handle >= 0 else { throw bad(object, "missing") }
        defer { H5Oclose(handle) }
        return try body(handle)
    }

    private func withDataset<R>(_ object: String, _ body: (hid_t, Int, [Int]) throws -> R) throws -> R {
        let dataset = H5Dopen2(id, object, vaexprs_h5p_default())
        guard dataset >= 0 else { throw bad(object, "missing or not a dataset") }
        defer { H5Dclose(dataset) }
        let space = H5Dget_space(dataset)
        defer { H5Sclose(space) }
        let rank = Int(H5Sget_simple_extent_ndims(space))
        guard (0...32).contains(rank) else { throw bad(object, "has an invalid rank \(rank); the file is damaged") }
        var dims = [hsize_t](repeating: 0, count: max(rank, 1))
        H5Sget_simple_extent_dims(space, &dims, nil)
        // Sizes from the file are checked before anything is allocated from them: the element
        // count must fit, and the data must be there (stored bytes × the best deflate ratio).
        var count = 1
        for d in dims.prefix(rank) {
            guard d <= UInt64(Int.max), case let (product, overflow) = count.multipliedReportingOverflow(by: Int(d)),
                !overflow
            else {
                throw bad(
                    object,
                    """
                    declares a shape \(dims.prefix(rank).map(String.init).joined(separator: " × ")) too large to \
                    exist; the file is damaged
                    """
                )
            }
            count = product
        }
        let type = H5Dget_type(dataset)
        let elementSize = type >= 0 ? max(1, H5Tget_size(type)) : 1
        if type >= 0 { H5Tclose(type) }
        let stored = Int(clamping: H5Dget_storage_size(dataset))
        let (declared, overflow) = count.multipliedReportingOverflow(by: elementSize)
        guard !overflow,
            declared <= max(stored, 1 << 16).multipliedReportingOverflow(by: Self.largestExpansion).partialValue
        else {
            throw bad(
                object, "declares \(count) elements but stores only \(stored) bytes; the file is truncated or damaged")
        }
        return try body(dataset, count, rank == 0 ? [] : dims.prefix(rank).map { Int($0) })
    }

    /// The most a stored byte can expand to: deflate's limit is about 1032:1.
    static let largestExpansion = 1100

    /// A numeric dataset converted to `Float`, with its shape.
    func floats(_ object: String) throws -> (values: [Float], shape: [Int]) {
        try withDataset(object) { dataset, count, shape in
            var values = [Float](repeating: 0, count: count)
            guard
                count == 0
                    || H5Dread(
                        dataset, vaexprs_h5t_native_float(), vaexprs_h5s_all(), vaexprs_h5s_all(),
                        vaexprs_h5p_default(), &values) >= 0
            else {
                throw bad(object, "cannot be read as numbers (the file may be truncated or damaged)")
            }
            if let index = values.firstIndex(where: { !$0.isFinite }) {
                try checkFloat32Range(dataset, index: index, object: object)
            }
            return (values, shape)
        }
    }

    /// Names a value that became infinite only in the conversion to 32-bit floats (a float64
    /// of 1e39, say), which would otherwise surface as a diverging fit.
    func checkFloat32Range(_ object: String, index: Int) throws {
        try withDataset(object) { dataset, _, _ in try checkFloat32Range(dataset, index: index, object: object) }
    }

    private func checkFloat32Range(_ dataset: hid_t, index: Int, object: String) throws {
        let space = H5Dget_space(dataset)
        defer { H5Sclose(space) }
        var start = [hsize_t](repeating: 0, count: 32), one = [hsize_t](repeating: 1, count: 32)
        let rank = Int(H5Sget_simple_extent_ndims(space))
        var dims = [hsize_t](repeating: 0, count: max(rank, 1))
        H5Sget_simple_extent_dims(space, &dims, nil)
        var rest = index
        for k in stride(from: rank - 1, through: 0, by: -1) where dims[k] > 0 {
            start[k] = hsize_t(rest % Int(dims[k]))
            rest /= Int(dims[k])
        }
        H5Sselect_hyperslab(space, H5S_SELECT_SET, &start, nil, &one, nil)
        var memoryDims: hsize_t = 1
        let memory = H5Screate_simple(1, &memoryDims, nil)
        defer { H5Sclose(memory) }
        var value = 0.0
        guard H5Dread(dataset, vaexprs_h5t_native_double(), memory, space, vaexprs_h5p_default(), &value) >= 0,
            value.isFinite
        else { return }
        throw bad(
            object,
            """
            element \(index) is \(value), beyond the range of 32-bit floats (±3.4e38) that VAExprs computes in; \
            rescale the data
            """
        )
    }

    /// An integer dataset converted to `Int32` (values outside its range fail validation
    /// later, as HDF5 clips them).
    func int32s(_ object: String) throws -> [Int32] {
        try withDataset(object) { dataset, count, _ in
            try requireIntegers(dataset, object)
            var values = [Int32](repeating: 0, count: count)
            guard
                count == 0
                    || H5Dread(
                        dataset, vaexprs_h5t_native_int32(), vaexprs_h5s_all(), vaexprs_h5s_all(),
                        vaexprs_h5p_default(), &values) >= 0
            else {
                throw bad(object, "cannot be read as integers (the file may be truncated or damaged)")
            }
            return values
        }
    }

    /// Elements `range` of a 1-D dataset, converted to `memoryType`'s element `T` (a
    /// hyperslab read: only those elements are read from disk).
    func slice<T: Numeric>(_ object: String, _ range: Range<Int>, as _: T.Type, memoryType: hid_t) throws -> [T] {
        try withDataset(object) { dataset, count, shape in
            guard shape.count == 1, range.lowerBound >= 0, range.upperBound <= count else {
                throw bad(object, "elements \(range) are outside its \(count)")
            }
            if H5Tget_class(memoryType) == H5T_INTEGER { try requireIntegers(dataset, object) }
            var values = [T](repeating: 0, count: range.count)
            if range.isEmpty { return values }
            let fileSpace = H5Dget_space(dataset)
            defer { H5Sclose(fileSpace) }
            var start = [hsize_t(range.lowerBound)], block = [hsize_t(range.count)]
            H5Sselect_hyperslab(fileSpace, H5S_SELECT_SET, &start, nil, &block, nil)
            let memorySpace = H5Screate_simple(1, &block, nil)
            defer { H5Sclose(memorySpace) }
            guard H5Dread(dataset, memoryType, memorySpace, fileSpace, vaexprs_h5p_default(), &values) >= 0 else {
                throw bad(object, "elements \(range) cannot be read (the file may be truncated or damaged)")
            }
            return values
        }
    }

    /// The first `count` elements of a dataset of any rank, in storage (row-major) order: a
    /// leading block of whole rows of a 2-D array (at least one row), or a prefix of a 1-D one.
    func leadingValues(_ object: String, count: Int) throws -> [Float] {
        try withDataset(object) { dataset, total, shape in
            guard !shape.isEmpty, total > 0 else { return [] }
            let rowSize = shape.dropFirst().reduce(1, *)
            let rows = min(shape[0], max(1, count / max(rowSize, 1)))
            var start = [hsize_t](repeating: 0, count: shape.count)
            var block = [hsize_t(rows)] + shape.dropFirst().map { hsize_t($0) }
            var values = [Float](repeating: 0, count: rows * rowSize)
            let fileSpace = H5Dget_space(dataset)
            defer { H5Sclose(fileSpace) }
            H5Sselect_hyperslab(fileSpace, H5S_SELECT_SET, &start, nil, &block, nil)
            let memorySpace = H5Screate_simple(Int32(shape.count), &block, nil)
            defer { H5Sclose(memorySpace) }
            let read = H5Dread(dataset, HDF5File.floatType, memorySpace, fileSpace, vaexprs_h5p_default(), &values)
            guard read >= 0 else {
                throw bad(object, "its first \(rows) row(s) cannot be read (the file may be truncated or damaged)")
            }
            return values
        }
    }

    /// The number of elements and the shape of a dataset, without reading it.
    func shape(_ object: String) throws -> [Int] {
        try withDataset(object) { _, _, shape in shape }
    }

    /// An integer dataset converted to `Int64`.
    func integers(_ object: String) throws -> [Int64] {
        try withDataset(object) { dataset, count, _ in
            try requireIntegers(dataset, object)
            var values = [Int64](repeating: 0, count: count)
            guard
                count == 0
                    || H5Dread(
                        dataset, vaexprs_h5t_native_int64(), vaexprs_h5s_all(), vaexprs_h5s_all(),
                        vaexprs_h5p_default(), &values) >= 0
            else {
                throw bad(object, "cannot be read as integers (the file may be truncated or damaged)")
            }
            return values
        }
    }

    /// Refuses a dataset whose stored type is not integers: indices, offsets and codes stored
    /// as floats would otherwise be converted silently (an index of 2.5 read as 2).
    private func requireIntegers(_ dataset: hid_t, _ object: String) throws {
        let type = H5Dget_type(dataset)
        defer { H5Tclose(type) }
        guard H5Tget_class(type) == H5T_INTEGER else {
            throw bad(
                object,
                """
                holds \(Self.className(type)), not integers; the file was not written by anndata or Cell Ranger, \
                or is damaged
                """
            )
        }
    }

    /// A type's class in words.
    static func className(_ type: hid_t) -> String {
        switch H5Tget_class(type) {
        case H5T_FLOAT: "floating-point numbers"
        case H5T_STRING: "strings"
        case H5T_COMPOUND: "records"
        case H5T_ENUM: "enumerated values"
        default: "values of another kind"
        }
    }

    /// True when the dataset holds strings.
    func holdsStrings(_ object: String) throws -> Bool {
        try withDataset(object) { dataset, _, _ in
            let type = H5Dget_type(dataset)
            defer { H5Tclose(type) }
            return H5Tget_class(type) == H5T_STRING
        }
    }

    /// A string dataset (variable- or fixed-length).
    func strings(_ object: String) throws -> [String] {
        try withDataset(object) { dataset, count, _ in
            let fileType = H5Dget_type(dataset)
            defer { H5Tclose(fileType) }
            guard H5Tget_class(fileType) == H5T_STRING else { throw bad(object, "does not hold strings") }
            return try readStrings(count: count, fileType: fileType, what: object) { memoryType, buffer in
                H5Dread(dataset, memoryType, vaexprs_h5s_all(), vaexprs_h5s_all(), vaexprs_h5p_default(), buffer)
            }
        }
    }

    /// A string attribute of `object` (scalar or array), or nil when absent.
    func stringAttribute(_ object: String, _ name: String) throws -> [String]? {
        try withObject(object) { handle in
            guard H5Aexists(handle, name) > 0 else { return nil }
            let attribute = H5Aopen(handle, name, vaexprs_h5p_default())
            guard attribute >= 0 else { throw bad(object, "attribute '\(name)' cannot be opened") }
            defer { H5Aclose(attribute) }
            let fileType = H5Aget_type(attribute), space = H5Aget_space(attribute)
            defer {
                H5Tclose(fileType)
                H5Sclose(space)
            }
            guard H5Tget_class(fileType) == H5T_STRING else { return nil }
            let count = Int(H5Sget_simple_extent_npoints(space))
            return try readStrings(count: count, fileType: fileType, what: "\(object) attribute \(name)") {
                memoryType, buffer in
                H5Aread(attribute, memoryType, buffer)
            }
        }
    }

    /// An integer attribute of `object` (e.g. a sparse matrix's `shape`), or nil when absent.
    func integerAttribute(_ object: String, _ name: String) throws -> [Int64]? {
        try withObject(object) { handle in
            guard H5Aexists(handle, name) > 0 else { return nil }
            let attribute = H5Aopen(handle, name, vaexprs_h5p_default())
            guard attribute >= 0 else { throw bad(object, "attribute '\(name)' cannot be opened") }
            defer { H5Aclose(attribute) }
            let type = H5Aget_type(attribute)
            defer { H5Tclose(type) }
            guard H5Tget_class(type) == H5T_INTEGER else {
                throw bad(
                    object,
                    """
                    attribute '\(name)' holds \(Self.className(type)), not integers; the file was not written by \
                    anndata or Cell Ranger, or is damaged
                    """
                )
            }
            let space = H5Aget_space(attribute)
            defer { H5Sclose(space) }
            let points = Int(H5Sget_simple_extent_npoints(space))
            guard (0...64).contains(points) else {
                throw bad(object, "attribute '\(name)' holds \(points) values; the file is damaged")
            }
            var values = [Int64](repeating: 0, count: points)
            guard H5Aread(attribute, vaexprs_h5t_native_int64(), &values) >= 0 else {
                throw bad(object, "attribute '\(name)' is not integers")
            }
            return values
        }
    }

    private func readStrings(
        count: Int, fileType: hid_t, what: String,
        read: (hid_t, UnsafeMutableRawPointer) -> herr_t
    ) throws -> [String] {
        if count == 0 { return [] }
        if H5Tis_variable_str(fileType) > 0 {
            let memoryType = H5Tcopy(vaexprs_h5t_c_s1())
            defer { H5Tclose(memoryType) }
            H5Tset_size(memoryType, vaexprs_h5t_variable())
            H5Tset_cset(memoryType, H5T_CSET_UTF8)
            var pointers = [UnsafeMutablePointer<CChar>?](repeating: nil, count: count)
            guard pointers.withUnsafeMutableBytes({ read(memoryType, $0.baseAddress!) }) >= 0 else {
                throw bad(what, "strings cannot be read")
            }
            defer { for p in pointers { H5free_memory(p) } }
            return pointers.map { $0.map { String(cString: $0) } ?? "" }
        }
        let size = H5Tget_size(fileType)
        let memoryType = H5Tcopy(fileType)
        defer { H5Tclose(memoryType) }
        var bytes = [UInt8](repeating: 0, count: count * size)
        guard bytes.withUnsafeMutableBytes({ read(memoryType, $0.baseAddress!) }) >= 0 else {
            throw bad(what, "strings cannot be read")
        }
        // Fixed-length strings end at a NUL (null-padded or -terminated); space-padded ones
        // (Fortran's convention) lose their trailing pad. Nothing else is trimmed.
        let spacePadded = H5Tget_strpad(fileType) == H5T_STR_SPACEPAD
        return (0..<count).map { i in
            let slice = bytes[(i * size)..<((i + 1) * size)]
            var end = slice.firstIndex(of: 0) ?? slice.endIndex
            if spacePadded { while end > slice.startIndex && slice[end - 1] == UInt8(ascii: " ") { end -= 1 } }
            return String(decoding: slice[slice.startIndex..<end], as: UTF8.self)
        }
    }
}
