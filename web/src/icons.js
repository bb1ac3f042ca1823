// Only the icons the console uses, registered globally by name.
import {
    ArrowDown,
    Calendar,
    CircleClose,
    Collection,
    DataAnalysis,
    DataLine,
    Document,
    Download,
    Expand,
    Files,
    Fold,
    HomeFilled,
    Key,
    Location,
    Lock,
    MapLocation,
    Menu,
    Notebook,
    Plus,
    Refresh,
    Search,
    Setting,
    Tickets,
    Upload,
    User,
    View,
} from '@element-plus/icons-vue';

const icons = {
    ArrowDown,
    Calendar,
    CircleClose,
    Collection,
    DataAnalysis,
    DataLine,
    Document,
    Download,
    Expand,
    Files,
    Fold,
    HomeFilled,
    Key,
    Location,
    Lock,
    MapLocation,
    Menu,
    Notebook,
    Plus,
    Refresh,
    Search,
    Setting,
    Tickets,
    Upload,
    User,
    View,
};

export function registerIcons(app) {
    for (const [name, comp] of Object.entries(icons)) app.component(`Icon${name}`, comp);
}

export default icons;
