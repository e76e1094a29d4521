/// A growable array of plain values without reference counting, uniqueness checks or bounds
/// checks: scratch storage for hot loops (the normalizer's output under construction, an NDJSON
/// line before it is appended to the output whole). The owner calls `free()` exactly once.
public struct Buffer<Element: BitwiseCopyable> {
    @usableFromInline var storage: UnsafeMutablePointer<Element>
    @usableFromInline var allocated: Int
    /// The number of elements in use (the owner may set it back to reuse the storage).
    public var count = 0

    /// An empty buffer with room for `capacity` elements (at least one).
    @inlinable public init(capacity: Int = 256) {
        allocated = max(1, capacity)
        storage = .allocate(capacity: allocated)
    }

    /// The first element's address; valid until the next call that may grow the buffer.
    @inlinable public var pointer: UnsafeMutablePointer<Element> { storage }
    /// The number of elements the storage holds before it must grow.
    @inlinable public var capacity: Int { allocated }

    /// Makes room for `needed` elements in all.
    @inlinable @inline(__always)
    public mutating func reserve(_ needed: Int) {
        if needed > allocated { grow(to: needed) }
    }

    @inlinable @inline(never)
    mutating func grow(to needed: Int) {
        var newCapacity = allocated
        while newCapacity < needed { newCapacity *= 2 }
        let newStorage = UnsafeMutablePointer<Element>.allocate(capacity: newCapacity)
        newStorage.update(from: storage, count: count)
        storage.deallocate()
        storage = newStorage
        allocated = newCapacity
    }

    @inlinable @inline(__always)
    public mutating func append(_ element: Element) {
        if count == allocated { reserve(count + 1) }
        storage[count] = element
        count += 1
    }

    /// Appends `n` elements from `elements`.
    @inlinable @inline(__always)
    public mutating func append(_ elements: UnsafePointer<Element>, count n: Int) {
        reserve(count &+ n)
        (storage + count).update(from: elements, count: n)
        count &+= n
    }

    @inlinable public var last: Element? { count > 0 ? storage[count - 1] : nil }

    @inlinable public mutating func removeLast() { count -= 1 }

    @inlinable @inline(__always)
    public subscript(_ i: Int) -> Element {
        get { storage[i] }
        nonmutating set { storage[i] = newValue }
    }

    /// The elements in use.
    @inlinable public var view: UnsafeBufferPointer<Element> { UnsafeBufferPointer(start: storage, count: count) }

    /// The elements from `start` on.
    @inlinable public func view(from start: Int) -> UnsafeBufferPointer<Element> {
        UnsafeBufferPointer(start: storage + start, count: count - start)
    }

    /// Frees the storage; the buffer must not be used afterwards.
    @inlinable public func free() { storage.deallocate() }
}
