package io.brokest.samples;

import io.brokest.Brokest;
import io.brokest.BrokestWorker;

/** An embedded worker and a client connected to it, for the sample tests. */
final class SampleWorkers implements AutoCloseable {
    final BrokestWorker worker = BrokestWorker.builder().bind("tcp://127.0.0.1:*").threads(2).start();
    final Brokest brokest = Brokest.connect(worker.endpoint());

    @Override
    public void close() {
        brokest.close();
        worker.close();
    }
}
