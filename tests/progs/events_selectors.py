# events_selectors.py - python3's selectors (epoll), select.epoll, select.poll and select.select over an
# eventfd and stdin (a pipe holding "hello\n", its writer gone); output independent of timing.
import os
import select
import selectors

sel = selectors.DefaultSelector()
print(type(sel).__name__)
efd = os.eventfd(0, os.EFD_NONBLOCK)
sel.register(efd, selectors.EVENT_READ, "efd")
print("empty", sel.select(0))
os.eventfd_write(efd, 3)
print("written", [(k.data, ev) for k, ev in sel.select(0)])
print("read", os.eventfd_read(efd))
sel.register(0, selectors.EVENT_READ, "stdin")
print("stdin", sorted((k.data, ev) for k, ev in sel.select(None)))
print("data", os.read(0, 100))
sel.unregister(0)
sel.close()

ep = select.epoll()
ep.register(efd, select.EPOLLIN | select.EPOLLOUT | select.EPOLLET)
print("epoll et", ep.poll(0))
print("epoll et again", ep.poll(0.01))
os.eventfd_write(efd, 1)
print("epoll et written", ep.poll(0))
ep.modify(efd, select.EPOLLIN)
print("epoll lt", ep.poll(0), ep.poll(0))
ep.close()

p = select.poll()
p.register(efd, select.POLLIN | select.POLLOUT)
p.register(1, select.POLLOUT)
print("poll", sorted(p.poll(0)))
os.eventfd_read(efd)
print("select", select.select([efd], [efd], [], 0.02))
print("select timeout", select.select([efd], [], [], 0.02))
