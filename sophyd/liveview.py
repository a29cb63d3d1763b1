"""A live view of a file-writing detector: each new frame read from its HDF5 file while the IOC still writes it.

Area detectors send no frames through the RunEngine: their ``stream_resource`` documents say which file and
dataset hold a data key, and ``stream_datum`` documents say which frames belong to the next event. ``LiveFrames``
follows those documents and reads each frame from the file as soon as its event arrives, with HDF5's
single-writer-multiple-reader mode (SWMR), then shows the latest frame and its sum against the motor positions
with matplotlib. Importing this module imports neither h5py nor matplotlib.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from bluesky.callbacks.core import CallbackBase
from event_model import Event, RunStart, RunStop, StreamDatum, StreamResource

__all__ = ["LiveFrames"]


class LiveFrames(CallbackBase):
    """Shows each new frame of ``data_key`` and the frame sums against the scan's motors, as the run goes.

    Subscribe it to a RunEngine (``RE.subscribe(LiveFrames("bdet"))``). ``on_frame(index, frame)`` is called
    for every frame read, in order, once. With a non-interactive matplotlib backend (Agg, when there is no
    display) or ``save_png=True``, the final figure is saved as a PNG beside the detector's file (or in
    ``png_dir``) when the run stops, and its path printed. ``timeout`` bounds the wait for a frame the
    documents announced but the file does not show yet.
    """

    def __init__(
        self,
        data_key: str,
        *,
        on_frame: Callable[[int, Any], None] | None = None,
        save_png: bool | None = None,
        png_dir: str | Path | None = None,
        timeout: float = 10.0,
    ) -> None:
        super().__init__()
        self.data_key = data_key
        self.on_frame = on_frame
        self.save_png = save_png
        self.png_dir = Path(png_dir) if png_dir is not None else None
        self.timeout = timeout
        #: The PNG files saved so far, one per run.
        self.pngs: list[Path] = []
        self._reset()

    def _reset(self) -> None:
        self._run_uid = ""
        self._motors: list[str] = []
        self._resource_uid = ""
        self._path: Path | None = None
        self._dataset_name = ""
        self._file: Any = None
        self._pending: list[tuple[int, int]] = []
        self._positions: list[list[float]] = []
        self._sums: list[float] = []
        self._figure: Any = None
        self._colorbar: Any = None

    def __call__(self, name: str, doc: Any, validate: bool = False) -> Any:
        """Route one document to the method of its name (typed so that ``RE.subscribe`` accepts it)."""
        return super().__call__(name, doc, validate)

    # -- documents -------------------------------------------------------------------------------------
    def start(self, doc: RunStart) -> None:
        self._close_file()
        self._reset()
        self._run_uid = doc["uid"]
        self._motors = [str(m) for m in doc.get("motors", ())]  # type: ignore[attr-defined]

    def stream_resource(self, doc: StreamResource) -> None:
        if doc.get("data_key") == self.data_key:
            self._close_file()
            self._resource_uid = doc["uid"]
            self._path = Path(urlparse(doc["uri"]).path)
            self._dataset_name = doc["parameters"]["dataset"]

    def stream_datum(self, doc: StreamDatum) -> None:
        if doc.get("stream_resource") == self._resource_uid:
            self._pending.append((doc["indices"]["start"], doc["indices"]["stop"]))

    def event(self, doc: Event) -> Event:
        pending, self._pending = self._pending, []
        for start, stop in pending:
            frames = self._read(start, stop)
            for index, frame in zip(range(start, stop), frames, strict=True):
                if self.on_frame is not None:
                    self.on_frame(index, frame)
                self._motors = [m for m in self._motors if m in doc["data"]]  # the ones this stream reads
                self._positions.append([float(doc["data"][m]) for m in self._motors])
                self._sums.append(float(frame.sum()))
                self._show(frame)
        return doc

    def stop(self, doc: RunStop) -> None:
        self._close_file()
        if self._figure is None:
            return
        import matplotlib

        save = self.save_png if self.save_png is not None else matplotlib.get_backend().lower() == "agg"
        if save:
            directory = self.png_dir or (self._path.parent if self._path is not None else Path.cwd())
            png = directory / f"live_{self.data_key}_{self._run_uid[:8]}.png"
            self._figure.savefig(png)
            self.pngs.append(png)
            print(f"live view of {self.data_key} saved as {png}")

    # -- reading and drawing ---------------------------------------------------------------------------
    def _read(self, start: int, stop: int) -> Any:
        """Frames ``start:stop`` of the dataset, waiting (up to ``timeout``) until the writer flushed them."""
        import time

        import h5py

        if self._path is None:
            raise RuntimeError(
                f"LiveFrames({self.data_key!r}): a stream_datum came before its stream_resource"
            )
        if self._file is None:
            self._file = h5py.File(self._path, "r", swmr=True)
        dataset = self._file[self._dataset_name]
        deadline = time.monotonic() + self.timeout
        dataset.refresh()
        while dataset.shape[0] < stop:
            if time.monotonic() > deadline:
                raise TimeoutError(
                    f"LiveFrames({self.data_key!r}): {self._path} shows {dataset.shape[0]} frames of "
                    f"{self._dataset_name}, the documents announced {stop}, after {self.timeout} s"
                )
            time.sleep(0.01)  # the writer flushes on its own schedule; polling is all SWMR offers
            dataset.refresh()
        return dataset[start:stop]

    def _close_file(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None

    def _show(self, frame: Any) -> None:
        import matplotlib.pyplot as plt

        if self._figure is None:
            self._figure, (self._image_axes, self._sum_axes) = plt.subplots(1, 2, figsize=(10, 4))
            self._image = self._image_axes.imshow(frame, cmap="gray")
            self._image_axes.set_title(f"{self.data_key}: latest frame")
        self._image.set_data(frame)
        self._image.set_clim(frame.min(), max(frame.max(), frame.min() + 1))
        axes = self._sum_axes
        axes.clear()
        names = self._motors
        if len(names) >= 2:
            x, y = [p[0] for p in self._positions], [p[1] for p in self._positions]
            points = axes.scatter(x, y, c=self._sums, cmap="viridis")
            axes.set_xlabel(names[0])
            axes.set_ylabel(names[1])
            if self._colorbar is None:
                self._colorbar = self._figure.colorbar(points, ax=axes, label="frame sum")
            else:
                self._colorbar.update_normal(points)
        else:
            x = [p[0] for p in self._positions] if names else list(range(len(self._sums)))
            axes.plot(x, self._sums, "o-")
            axes.set_xlabel(names[0] if names else "frame")
            axes.set_ylabel("frame sum")
        axes.set_title(f"{self.data_key}: sum of each frame")
        self._figure.canvas.draw_idle()
        self._figure.canvas.flush_events()
