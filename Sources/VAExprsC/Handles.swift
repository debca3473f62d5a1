import CVAExprsAPI
import Foundation
import VAExprs

/// What a C handle points to: a Swift object kept alive by the handle (retained when handed out,
/// released by the matching _free call).
enum Handles {
    /// A new handle holding `object`.
    static func make<T: AnyObject>(_ object: T) -> OpaquePointer {
        OpaquePointer(Unmanaged.passRetained(object).toOpaque())
    }

    /// The object behind `handle`, or nil for NULL.
    static func object<T: AnyObject>(_ handle: OpaquePointer?, as type: T.Type) -> T? {
        guard let handle else { return nil }
        return Unmanaged<T>.fromOpaque(UnsafeRawPointer(handle)).takeUnretainedValue()
    }

    /// Releases the object behind `handle` (nothing for NULL).
    static func free<T: AnyObject>(_ handle: OpaquePointer?, as type: T.Type) {
        guard let handle else { return }
        Unmanaged<T>.fromOpaque(UnsafeRawPointer(handle)).release()
    }
}

/// A trained model behind a `vaexprs_model` handle, with its gene names as C strings.
final class ModelBox {
    let model: TrainedModel
    let geneNames: [CStringBox]
    let trainingCellIDs: [CStringBox]

    init(_ model: TrainedModel) {
        self.model = model
        geneNames = model.geneNames.map(CStringBox.init)
        trainingCellIDs = model.trainingCellIDs.map(CStringBox.init)
    }
}

/// Generated cells behind a `vaexprs_cells` handle, with their labels as C strings.
final class CellsBox {
    let cells: GeneratedCells
    let labels: [[CStringBox]]
    /// The values as CSR, made when a host first asks for them.
    lazy var csr: SparseMatrix = {
        switch cells.data.cells {
        case .sparse(let sparse): sparse
        case .dense(let dense): SparseMatrix(dense)
        }
    }()

    init(_ cells: GeneratedCells) {
        self.cells = cells
        labels = (cells.labels ?? []).map { $0.map(CStringBox.init) }
    }
}

/// A NUL-terminated copy of a string that lives as long as its box.
final class CStringBox {
    let bytes: ContiguousArray<CChar>

    init(_ text: String) {
        bytes = ContiguousArray(text.utf8CString)
    }

    /// The string's address (valid while the box lives).
    var pointer: UnsafePointer<CChar> {
        bytes.withUnsafeBufferPointer { $0.baseAddress! }
    }
}

/// An error behind a `vaexprs_error` handle.
final class ErrorBox {
    let error: VAExprsError
    var rendered: CStringBox?

    init(_ error: VAExprsError) {
        self.error = error
    }

    /// The C status of the error's code.
    var status: vaexprs_status {
        switch error.code {
        case .usage: VAEXPRS_USAGE
        case .badData: VAEXPRS_BAD_DATA
        case .missingInput: VAEXPRS_MISSING_INPUT
        case .unusablePlugin: VAEXPRS_UNUSABLE_PLUGIN
        case .cannotWrite: VAEXPRS_CANNOT_WRITE
        case .cancelled: VAEXPRS_CANCELLED
        case .other: VAEXPRS_OTHER
        }
    }
}

/// Runs `body`, turning any error into a status and an error handle in `errorOut` (when given).
func guarded(_ errorOut: UnsafeMutablePointer<OpaquePointer?>?, _ body: () throws -> Void) -> vaexprs_status {
    errorOut?.pointee = nil
    do {
        try body()
        return VAEXPRS_OK
    } catch let failure as VAExprsError {
        return report(failure, errorOut)
    } catch {
        return report(VAExprsError(.other, "\(error)"), errorOut)
    }
}

private func report(_ failure: VAExprsError, _ errorOut: UnsafeMutablePointer<OpaquePointer?>?) -> vaexprs_status {
    let box = ErrorBox(failure)
    errorOut?.pointee = Handles.make(box)
    return box.status
}

/// A usage error naming `parameter` (a NULL pointer, a size that does not add up).
func usage(_ parameter: String, _ what: String) -> VAExprsError {
    VAExprsError.usage("\(parameter: parameter) \(what)")
}

/// A string the caller frees with `vaexprs_free`.
func mallocString(_ text: String) -> UnsafeMutablePointer<CChar> {
    strdup(text)!
}

/// Bytes the caller frees with `vaexprs_free`.
func mallocBytes(_ bytes: [UInt8]) -> UnsafeMutablePointer<UInt8> {
    let out = malloc(max(1, bytes.count))!.bindMemory(to: UInt8.self, capacity: max(1, bytes.count))
    bytes.withUnsafeBufferPointer { if let base = $0.baseAddress { out.update(from: base, count: bytes.count) } }
    return out
}
