package io.brokest.samples;

import io.brokest.Brokest;
import io.brokest.testing.InProcessWorker;

/**
 * The in-process test worker and a client connected to it, for the sample tests: tasks still cross a
 * socket, through Kryo, into a class loader that only has what the client ships.
 */
final class SampleWorkers implements AutoCloseable {
    final InProcessWorker worker = InProcessWorker.builder().threads(2).start();
    final Brokest brokest = worker.client();

    @Override
    public void close() {
        worker.close();
    }
}
