package io.brokest.internal.worker;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLConnection;
import java.net.URLStreamHandler;
import java.util.Collections;
import java.util.Enumeration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The class loader of one client session on a worker.
 *
 * <p>Parent-first only for the JDK (through the platform loader) and for the exact classes of
 * Brokest's API that tasks touch; everything else, application classes and third-party libraries
 * alike, is fetched from the client and defined here. So the daemon's own libraries (Kryo, JeroMQ,
 * logging) never leak into tasks, and two clients with different versions of one class name each
 * get their own. Resources are served the same way, so bytecode libraries and {@code ServiceLoader}
 * work. Lookups that found nothing are remembered, so a miss costs one round trip.
 *
 * <p>Thread-safe (registered as parallel capable); fetching blocks the task's thread, never the
 * socket thread.
 */
final class ClientClassLoader extends ClassLoader {
    static {
        registerAsParallelCapable();
    }

    private final ClassSource source;
    private final ContentStore store;
    private final Map<String, Class<?>> sharedApi;
    private final Set<String> missing = ConcurrentHashMap.newKeySet();
    private final Map<String, byte[]> resources = new ConcurrentHashMap<>();

    ClientClassLoader(String name, ClassSource source, ContentStore store, Map<String, Class<?>> sharedApi) {
        super(name, ClassLoader.getPlatformClassLoader());
        this.source = source;
        this.store = store;
        this.sharedApi = sharedApi;
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        Class<?> api = sharedApi.get(name);
        if (api != null) {
            return api;
        }
        synchronized (getClassLoadingLock(name)) {
            Class<?> c = findLoadedClass(name);
            if (c == null) {
                if (isJdkName(name)) {
                    c = getParent().loadClass(name);
                } else {
                    c = findClass(name);
                }
            }
            if (resolve) {
                resolveClass(c);
            }
            return c;
        }
    }

    private static boolean isJdkName(String name) {
        return name.startsWith("java.") || name.startsWith("javax.") || name.startsWith("jdk.")
                || name.startsWith("sun.") || name.startsWith("com.sun.");
    }

    @Override
    protected Class<?> findClass(String name) throws ClassNotFoundException {
        String path = name.replace('.', '/') + ".class";
        byte[] bytes;
        try {
            bytes = fetch(io.brokest.internal.wire.Message.ClassRequest.CLASS, path);
        } catch (ClassFetchException e) {
            throw new ClassNotFoundException(name + ": " + e.getMessage());
        }
        if (bytes == null) {
            throw new ClassNotFoundException(name + " was not found on the worker nor on the client "
                    + source.describe() + "; add the jar that holds it to the client's classpath");
        }
        int dot = name.lastIndexOf('.');
        if (dot > 0) {
            String pkg = name.substring(0, dot);
            if (getDefinedPackage(pkg) == null) {
                try {
                    definePackage(pkg, null, null, null, null, null, null, null);
                } catch (IllegalArgumentException raced) {
                    // another thread defined it first
                }
            }
        }
        return defineClass(name, bytes, 0, bytes.length);
    }

    private byte[] fetch(byte kind, String path) throws ClassFetchException {
        String key = kind + ":" + path;
        if (missing.contains(key)) {
            return null;
        }
        byte[] bytes = source.fetch(kind, path);
        if (bytes == null) {
            missing.add(key);
        }
        return bytes;
    }

    @Override
    protected URL findResource(String name) {
        if (name.startsWith("java/") || name.startsWith("jdk/") || name.startsWith("sun/")) {
            return null;
        }
        byte[] bytes = resources.get(name);
        if (bytes == null) {
            try {
                bytes = fetch(io.brokest.internal.wire.Message.ClassRequest.RESOURCE, name);
            } catch (ClassFetchException e) {
                return null;
            }
            if (bytes == null) {
                return null;
            }
            resources.put(name, bytes);
        }
        byte[] content = bytes;
        try {
            return new URL("brokest", source.describe().replaceAll("[^A-Za-z0-9.-]", "_"), -1, "/" + name,
                    new URLStreamHandler() {
                        @Override
                        protected URLConnection openConnection(URL u) {
                            return new URLConnection(u) {
                                @Override
                                public void connect() {
                                }

                                @Override
                                public InputStream getInputStream() {
                                    return new ByteArrayInputStream(content);
                                }
                            };
                        }
                    });
        } catch (MalformedURLException e) {
            return null;
        }
    }

    @Override
    protected Enumeration<URL> findResources(String name) throws IOException {
        URL url = findResource(name);
        return url == null ? Collections.emptyEnumeration() : Collections.enumeration(java.util.List.of(url));
    }

    /** For tests and metrics: how many class or resource names were looked up and not found. */
    int missingCount() {
        return missing.size();
    }

    ContentStore store() {
        return store;
    }
}
